//! The automata: elementary CAs on a ring and Conway's Game of Life on a torus, each stepped from
//! an initial condition into a [`Field`].

use rayon::prelude::*;

use super::field::{field_buffer, Field};
use super::init::random_cells;
use crate::error::Result;
use crate::infoflow::bad;

fn check_rule(rule: u32) -> Result<u8> {
    u8::try_from(rule).map_err(|_| {
        bad(format!(
            "unknown elementary CA rule {rule} (rules are numbered 0 to 255)"
        ))
    })
}

/// The elementary CA `rule` (Wolfram numbering) on a ring, from `initial`, for `steps` rows
/// (the first is `initial`).
pub fn elementary(rule: u32, initial: &[u8], steps: usize) -> Result<Field> {
    let rule = check_rule(rule)?;
    let w = initial.len();
    if w < 3 {
        return Err(bad(format!(
            "an elementary CA needs at least 3 cells, not {w}"
        )));
    }
    crate::error::at_least_one("steps", steps)?;
    if let Some(at) = initial.iter().position(|&c| c > 1) {
        return Err(bad(format!(
            "cell {at} of the initial row is {}, not 0 or 1",
            initial[at]
        )));
    }
    let mut cells = field_buffer(steps, 1, w)?;
    cells.extend_from_slice(initial);
    let table: [u8; 8] = std::array::from_fn(|i| (rule >> i) & 1);
    for t in 1..steps {
        let prev = (t - 1) * w;
        let row = &cells[prev..prev + w];
        let mut next = Vec::with_capacity(w);
        let mut idx = (row[w - 1] << 1 | row[0]) as usize;
        for i in 0..w {
            let r = row[if i + 1 == w { 0 } else { i + 1 }] as usize;
            idx = ((idx << 1) | r) & 7;
            next.push(table[idx]);
        }
        cells.extend_from_slice(&next);
    }
    Field::new(cells, steps, 1, w, 2)
}

/// The elementary CA `rule` from a random initial row (density 1/2) drawn from `seed`.
pub fn elementary_random(rule: u32, width: usize, steps: usize, seed: u64) -> Result<Field> {
    check_rule(rule)?;
    elementary(rule, &random_cells(width, 0.5, seed)?, steps)
}

/// Conway's Game of Life (B3/S23) on a `height` x `width` torus from `initial`, for `steps` rows.
pub fn life(initial: &[u8], height: usize, width: usize, steps: usize) -> Result<Field> {
    if height < 3 || width < 3 {
        return Err(bad(format!(
            "a Life torus needs at least 3 x 3 cells, not {height} x {width}"
        )));
    }
    if initial.len() != height * width {
        return Err(bad(format!(
            "{} cells do not make a {height} x {width} grid",
            initial.len()
        )));
    }
    crate::error::at_least_one("steps", steps)?;
    if let Some(at) = initial.iter().position(|&c| c > 1) {
        return Err(bad(format!(
            "cell {at} of the grid is {}, not 0 or 1",
            initial[at]
        )));
    }
    let n = height * width;
    let mut cells = field_buffer(steps, height, width)?;
    cells.extend_from_slice(initial);
    let mut next = vec![0u8; n];
    for t in 1..steps {
        let prev = &cells[(t - 1) * n..t * n];
        next.par_chunks_mut(width).enumerate().for_each(|(y, row)| {
            let up = &prev[((y + height - 1) % height) * width..][..width];
            let mid = &prev[y * width..][..width];
            let down = &prev[((y + 1) % height) * width..][..width];
            for x in 0..width {
                let l = if x == 0 { width - 1 } else { x - 1 };
                let r = if x + 1 == width { 0 } else { x + 1 };
                let s = up[l] + up[x] + up[r] + mid[l] + mid[r] + down[l] + down[x] + down[r];
                row[x] = (s == 3 || (s == 2 && mid[x] == 1)) as u8;
            }
        });
        cells.extend_from_slice(&next);
    }
    Field::new(cells, steps, height, width, 2)
}
