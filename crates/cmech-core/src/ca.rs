//! Cellular automata and their local information dynamics.
//!
//! - Elementary CAs (Wolfram's rules 0 to 255) on a ring of cells, from a given or a seeded random
//!   initial row; Conway's Game of Life on a torus, from a given grid, a seeded random one, or a
//!   named pattern (glider, Gosper glider gun).
//! - A [`Field`] is the space-time record: `steps` rows of `height` x `width` cells (height 1 for
//!   an elementary CA), row 0 the initial condition.
//! - Local active information storage and local transfer entropy along a channel (Lizier,
//!   Prokopenko & Zomaya 2008, Phys. Rev. E 77, 026110): the probabilities are pooled over every
//!   cell and every time step (as JIDT's `addObservations(int[][], j)`), and the local value is
//!   computed at every cell from step k on. Channel j = 1 takes the source from the left
//!   neighbour (cell i - 1 for target i), j = -1 from the right; in 2-D the source of cell (y, x)
//!   is (y - dy, x - dx).

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::Arc;

use crate::error::Result;
use crate::infoflow::engine::{self, Kind, Observations};
use crate::infoflow::{bad, Series};

fn check_field(
    cells: &[u8],
    steps: usize,
    height: usize,
    width: usize,
    alphabet: usize,
) -> Result<()> {
    if steps == 0 || height == 0 || width == 0 {
        return Err(bad(format!(
            "a field of {steps} x {height} x {width} cells is empty"
        )));
    }
    if Some(cells.len()) != steps.checked_mul(height).and_then(|n| n.checked_mul(width)) {
        return Err(bad(format!(
            "{} cells do not make a field of {steps} x {height} x {width}",
            cells.len()
        )));
    }
    if alphabet == 0 || alphabet > 256 {
        return Err(bad(format!(
            "an alphabet of {alphabet} letters is out of range"
        )));
    }
    // The largest value first (a vectorised pass); the position only when one is out.
    if (max_cell(cells) as usize) >= alphabet {
        let at = cells
            .iter()
            .position(|&c| c as usize >= alphabet)
            .unwrap_or(0);
        return Err(bad(format!(
            "cell value {} at position {at} is beyond the alphabet of {alphabet}",
            cells[at]
        )));
    }
    Ok(())
}

/// The largest of `cells` (0 when there are none).
pub fn max_cell(cells: &[u8]) -> u8 {
    cells
        .chunks(1 << 16)
        .map(|c| c.iter().fold(0u8, |m, &v| m.max(v)))
        .max()
        .unwrap_or(0)
}

/// The shape of a field: `steps` rows of `height` x `width` cells over `alphabet` symbols.
/// [`Field`] and [`FieldRef`] both dereference to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldShape {
    steps: usize,
    height: usize,
    width: usize,
    alphabet: usize,
}

impl FieldShape {
    /// Time steps (rows of the space-time picture), the initial condition first.
    pub fn steps(&self) -> usize {
        self.steps
    }
    /// Rows of cells per step: 1 for an elementary CA, the torus height for Life.
    pub fn height(&self) -> usize {
        self.height
    }
    /// Cells per row: the ring's length, or the torus width.
    pub fn width(&self) -> usize {
        self.width
    }
    /// The number of cell states: every cell is below it (2 for the automata here).
    pub fn alphabet(&self) -> usize {
        self.alphabet
    }
    /// Cells per time step.
    pub fn cells_per_step(&self) -> usize {
        self.height * self.width
    }
}

/// A field whose cells are held elsewhere (a numpy array, a [`Field`]): what the local
/// measures read, so that a caller's buffer need not be copied into a [`Field`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRef<'a> {
    cells: &'a [u8],
    shape: FieldShape,
}

impl<'a> FieldRef<'a> {
    /// Checked as [`Field::new`] checks its cells.
    pub fn new(
        cells: &'a [u8],
        steps: usize,
        height: usize,
        width: usize,
        alphabet: usize,
    ) -> Result<FieldRef<'a>> {
        check_field(cells, steps, height, width, alphabet)?;
        Ok(FieldRef {
            cells,
            shape: FieldShape {
                steps,
                height,
                width,
                alphabet,
            },
        })
    }
    /// The cells at step t.
    pub fn step(&self, t: usize) -> &'a [u8] {
        let n = self.cells_per_step();
        &self.cells[t * n..(t + 1) * n]
    }
}

impl std::ops::Deref for FieldRef<'_> {
    type Target = FieldShape;
    fn deref(&self) -> &FieldShape {
        &self.shape
    }
}

impl<'a> From<&'a Field> for FieldRef<'a> {
    fn from(f: &'a Field) -> FieldRef<'a> {
        f.view()
    }
}

/// A space-time field: `steps` rows of `height` x `width` cells, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    cells: Vec<u8>,
    shape: FieldShape,
}

impl std::ops::Deref for Field {
    type Target = FieldShape;
    fn deref(&self) -> &FieldShape {
        &self.shape
    }
}

impl Field {
    /// A field from its cells (steps x height x width, row-major) with symbols below `alphabet`.
    pub fn new(
        cells: Vec<u8>,
        steps: usize,
        height: usize,
        width: usize,
        alphabet: usize,
    ) -> Result<Field> {
        let shape = FieldRef::new(&cells, steps, height, width, alphabet)?.shape;
        Ok(Field { cells, shape })
    }
    /// The field borrowed, as the local measures read it.
    pub fn view(&self) -> FieldRef<'_> {
        FieldRef {
            cells: &self.cells,
            shape: self.shape,
        }
    }
    /// All cells, step after step.
    pub fn cells(&self) -> &[u8] {
        &self.cells
    }
    /// The cells at step t.
    pub fn step(&self, t: usize) -> &[u8] {
        self.view().step(t)
    }
    /// The cells, steps x height x width, row-major, without copying them.
    pub fn into_cells(self) -> Vec<u8> {
        self.cells
    }

    /// One series per offset (dy, dx), each with one trial per cell (y, x): the time series of
    /// cell (y + dy, x + dx), wrapped around. A split of the offsets then describes the same
    /// split at every position, pooled over all of them (as local measures pool over cells).
    pub fn translated_series(&self, offsets: &[(isize, isize)]) -> Result<Vec<Series>> {
        let (h, w) = (self.height as isize, self.width as isize);
        let every: Vec<(isize, isize)> = (0..h).flat_map(|y| (0..w).map(move |x| (y, x))).collect();
        self.frame_series(offsets, &every, (0.0, 0.0))
    }

    /// One series per offset (dy, dx), one trial per frame: frame i's origin at step t is
    /// `origins[i] + floor(velocity * t)` (a frame that moves with a glider, say), and series j
    /// at step t is the cell at that origin plus `offsets[j]`, wrapped around the ring or torus.
    /// With every cell as an origin and no velocity this is [`Field::translated_series`].
    pub fn frame_series(
        &self,
        offsets: &[(isize, isize)],
        origins: &[(isize, isize)],
        velocity: (f64, f64),
    ) -> Result<Vec<Series>> {
        if !(velocity.0.is_finite() && velocity.1.is_finite()) {
            return Err(bad(format!(
                "a frame's velocity must be finite, not {velocity:?}"
            )));
        }
        if origins.is_empty() {
            return Err(bad("a frame series needs at least one origin"));
        }
        let (h, w, n) = (self.height, self.width, self.cells_per_step());
        // Where every frame has moved by step t: the same for every offset.
        let shift: Vec<(isize, isize)> = (0..self.steps)
            .map(|t| {
                let t = t as f64;
                (
                    (velocity.0 * t).floor() as isize,
                    (velocity.1 * t).floor() as isize,
                )
            })
            .collect();
        offsets
            .iter()
            .map(|&(dy, dx)| {
                let mut s = Vec::with_capacity(origins.len() * self.steps);
                for &(oy, ox) in origins {
                    s.extend(shift.iter().enumerate().map(|(t, &(sy, sx))| {
                        let y = (oy + dy + sy).rem_euclid(h as isize) as usize;
                        let x = (ox + dx + sx).rem_euclid(w as isize) as usize;
                        self.cells[t * n + y * w + x]
                    }));
                }
                Series::rows(s, self.steps, Some(self.alphabet))
            })
            .collect()
    }
}

#[inline]
fn wrap(i: usize, d: isize, n: usize) -> usize {
    (i as isize + d).rem_euclid(n as isize) as usize
}

/// A row of `width` cells, each 1 with probability `density`, from `seed`.
pub fn random_cells(len: usize, density: f64, seed: u64) -> Result<Vec<u8>> {
    if !(0.0..=1.0).contains(&density) {
        return Err(bad(format!("density {density} is not in [0, 1]")));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    if density == 0.5 {
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            let mut bits = rng.next_u64();
            for _ in 0..64.min(len - out.len()) {
                out.push((bits & 1) as u8);
                bits >>= 1;
            }
        }
        return Ok(out);
    }
    let threshold = (density * 2f64.powi(64)).min(u64::MAX as f64) as u64;
    Ok((0..len)
        .map(|_| (density == 1.0 || rng.next_u64() < threshold) as u8)
        .collect())
}

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
    if steps == 0 {
        return Err(bad("a field needs at least 1 step"));
    }
    if let Some(at) = initial.iter().position(|&c| c > 1) {
        return Err(bad(format!(
            "cell {at} of the initial row is {}, not 0 or 1",
            initial[at]
        )));
    }
    let mut cells = Vec::with_capacity(w * steps);
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
    if steps == 0 {
        return Err(bad("a field needs at least 1 step"));
    }
    if let Some(at) = initial.iter().position(|&c| c > 1) {
        return Err(bad(format!(
            "cell {at} of the grid is {}, not 0 or 1",
            initial[at]
        )));
    }
    let n = height * width;
    let mut cells = Vec::with_capacity(n * steps);
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

/// Named Life patterns, as (row, column) offsets of their live cells.
pub const LIFE_PATTERNS: &[&str] = &["glider", "gosper-gun"];

/// The live cells of a named pattern: `glider` (moves one cell down and right every 4 steps) or
/// `gosper-gun` (Gosper's glider gun, 9 x 36, a glider every 30 steps).
pub fn life_pattern(name: &str) -> Result<Vec<(usize, usize)>> {
    let rows: &[&str] = match name {
        "glider" => &[".O.", "..O", "OOO"],
        "gosper-gun" | "gun" => &[
            "........................O...........",
            "......................O.O...........",
            "............OO......OO............OO",
            "...........O...O....OO............OO",
            "OO........O.....O...OO..............",
            "OO........O...O.OO....O.O...........",
            "..........O.....O.......O...........",
            "...........O...O....................",
            "............OO......................",
        ],
        _ => {
            return Err(bad(format!(
                "unknown Life pattern '{name}' (known: {})",
                LIFE_PATTERNS.join(", ")
            )))
        }
    };
    Ok(rows
        .iter()
        .enumerate()
        .flat_map(|(r, row)| {
            row.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'O')
                .map(move |(c, _)| (r, c))
        })
        .collect())
}

/// A `height` x `width` torus, dead but for the named Life pattern with its corner at `at` (row,
/// column; wrapped around). The torus must leave a dead cell on every side of the pattern:
/// otherwise the pattern touches itself across the edges and is not that pattern.
pub fn pattern_grid(
    name: &str,
    height: usize,
    width: usize,
    at: (usize, usize),
) -> Result<Vec<u8>> {
    let pattern = life_pattern(name)?;
    let (ph, pw) = pattern
        .iter()
        .fold((0, 0), |(a, b), &(r, c)| (a.max(r + 1), b.max(c + 1)));
    if ph + 2 > height || pw + 2 > width {
        return Err(bad(format!(
            "the pattern {name} ({ph} x {pw}) does not fit a {height} x {width} torus with a dead \
             cell around it (at least {} x {})",
            ph + 2,
            pw + 2
        )));
    }
    let mut grid = vec![0u8; height * width];
    place(&mut grid, height, width, &pattern, at);
    Ok(grid)
}

/// A `height` x `width` grid with `pattern` placed with its corner at (row, col), wrapped.
pub fn place(
    grid: &mut [u8],
    height: usize,
    width: usize,
    pattern: &[(usize, usize)],
    at: (usize, usize),
) {
    for &(r, c) in pattern {
        grid[((at.0 + r) % height) * width + (at.1 + c) % width] = 1;
    }
}

/// Local values over a field: `values` has (steps - offset) x height x width entries, the value
/// of cell c at step offset + t at index t * cells + c.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldLocal {
    /// Average over all cells and steps: the global value of the pooled estimate.
    pub average: f64,
    /// The local values in bits, (steps - offset) x height x width, row-major.
    pub values: Vec<f64>,
    /// The first step with a value (k).
    pub offset: usize,
    /// Steps of the field the values come from (the values hold steps - offset of them).
    pub steps: usize,
    /// Rows of cells per step (1 for an elementary CA).
    pub height: usize,
    /// Cells per row.
    pub width: usize,
}

/// Observations of a field: next value, past k values of the same cell, and (for TE) the source
/// cell's value one step before; those of steps `begin..end` (all from k on, or a range of rows
/// of a field written by blocks).
struct FieldObs<'a> {
    f: FieldRef<'a>,
    k: usize,
    /// TE's source; none for AIS.
    src: Option<Source>,
    rows: usize,
    cards: [u64; 3],
    begin: usize,
    end: usize,
}

/// The source of TE: the channel (dy, dx) and the index of the source cell of every cell.
#[derive(Clone)]
struct Source {
    channel: (isize, isize),
    index: Arc<[u32]>,
}

impl<'a> FieldObs<'a> {
    fn new(f: FieldRef<'a>, k: usize, source: Option<(isize, isize)>) -> Result<FieldObs<'a>> {
        if k == 0 {
            return Err(bad("the history length k must be at least 1"));
        }
        if k >= f.steps {
            return Err(bad(format!(
                "history k = {k} leaves no complete window in a field of {} steps",
                f.steps
            )));
        }
        let past = (f.alphabet as u64).checked_pow(k as u32).ok_or_else(|| {
            bad(format!(
                "a history of {k} steps over {} letters does not fit in 64 bits",
                f.alphabet
            ))
        })?;
        let a = f.alphabet as u64;
        let cards = match source {
            Some(_) => [a, a, past],
            None => [a, past, 1],
        };
        let (h, w) = (f.height, f.width);
        let src = source.map(|(dy, dx)| {
            let index: Arc<[u32]> = (0..h)
                .flat_map(|y| (0..w).map(move |x| (wrap(y, -dy, h) * w + wrap(x, -dx, w)) as u32))
                .collect();
            Source {
                channel: (dy, dx),
                index,
            }
        });
        // Every block starts by reading k steps of history: make blocks long against k, and
        // large enough to be worth a task.
        let rows = ((1usize << 20) / f.cells_per_step()).max(4 * k).max(1);
        Ok(FieldObs {
            f,
            k,
            src,
            rows,
            cards,
            begin: k,
            end: f.steps,
        })
    }

    /// The same observations at steps `begin..end` only (k <= begin <= end <= steps).
    fn steps(&self, begin: usize, end: usize) -> FieldObs<'a> {
        FieldObs {
            f: self.f,
            k: self.k,
            src: self.src.clone(),
            rows: self.rows,
            cards: self.cards,
            begin,
            end,
        }
    }

    /// Steps t0..t1 of block b.
    fn block_steps(&self, b: usize) -> (usize, usize) {
        let t0 = self.begin + b * self.rows;
        (t0, (t0 + self.rows).min(self.end))
    }
}

impl Observations for FieldObs<'_> {
    fn cards(&self) -> [u64; 3] {
        self.cards
    }
    fn num_blocks(&self) -> usize {
        (self.end - self.begin).div_ceil(self.rows)
    }
    fn block_len(&self, b: usize) -> usize {
        let (t0, t1) = self.block_steps(b);
        (t1 - t0) * self.f.cells_per_step()
    }
    fn visit<F: FnMut(u64, u64, u64)>(&self, b: usize, mut f: F) {
        let n = self.f.cells_per_step();
        let base = self.f.alphabet as u64;
        let top = base.pow(self.k as u32 - 1);
        // Alphabets that are powers of two roll histories by shifts and a mask.
        let bits = base.is_power_of_two().then(|| base.trailing_zeros());
        let mask = match bits {
            Some(b) if (b as usize) * self.k < 64 => (1u64 << (b as usize * self.k)) - 1,
            _ => u64::MAX,
        };
        let (t0, t1) = self.block_steps(b);
        let mut past = vec![0u64; n];
        for t in t0 - self.k..t0 {
            for (p, &c) in past.iter_mut().zip(self.f.step(t)) {
                *p = *p * base + c as u64;
            }
        }
        for t in t0..t1 {
            let now = self.f.step(t);
            let before = self.f.step(t - 1);
            match &self.src {
                Some(src) => {
                    for ((&x, &s), &p) in now.iter().zip(src.index.iter()).zip(&past) {
                        f(x as u64, before[s as usize] as u64, p);
                    }
                }
                None => {
                    for (&x, &p) in now.iter().zip(&past) {
                        f(x as u64, p, 0);
                    }
                }
            }
            if t + 1 < t1 {
                match bits {
                    Some(bits) => {
                        for (p, &c) in past.iter_mut().zip(now) {
                            *p = ((*p << bits) | c as u64) & mask;
                        }
                    }
                    None => {
                        let old = self.f.step(t - self.k);
                        for ((p, &c), &o) in past.iter_mut().zip(now).zip(old) {
                            *p = (*p - o as u64 * top) * base + c as u64;
                        }
                    }
                }
            }
        }
    }

    /// A step at a time: the source cells are first copied into place (each row of the source
    /// step rotated by the channel), so that every index is computed from three aligned rows
    /// (history, next value, source value) by vector instructions, with 32-bit histories.
    fn visit_dense<F: FnMut(&[u32])>(&self, b: usize, mut f: F) -> bool {
        let fits = self
            .cards
            .iter()
            .try_fold(1u64, |s, &c| s.checked_mul(c))
            .is_some_and(|s| s <= u32::MAX as u64);
        if !fits {
            return false;
        }
        let (n, w, h) = (self.f.cells_per_step(), self.f.width, self.f.height);
        let a = self.f.alphabet as u32;
        // a^k, which fits: it is one of the cards.
        let pasts = a.pow(self.k as u32);
        let top = pasts / a;
        let bits = a.is_power_of_two().then(|| a.trailing_zeros());
        let (t0, t1) = self.block_steps(b);
        let mut past = vec![0u32; n];
        for t in t0 - self.k..t0 {
            for (p, &c) in past.iter_mut().zip(self.f.step(t)) {
                *p = *p * a + c as u32;
            }
        }
        let mut idx = vec![0u32; n];
        let mut source = vec![0u8; if self.src.is_some() { n } else { 0 }];
        for t in t0..t1 {
            let now = self.f.step(t);
            match &self.src {
                Some(Source {
                    channel: (dy, dx), ..
                }) => {
                    // Source of (y, x): (y - dy, x - dx) wrapped, one step before.
                    let before = self.f.step(t - 1);
                    let s = wrap(0, -dx, w);
                    for (y, row) in source.chunks_exact_mut(w).enumerate() {
                        let from = &before[wrap(y, -dy, h) * w..][..w];
                        row[..w - s].copy_from_slice(&from[s..]);
                        row[w - s..].copy_from_slice(&from[..s]);
                    }
                    // (past * a + next) * a + source.
                    match bits {
                        Some(bits) => {
                            for (((i, &p), &x), &y) in
                                idx.iter_mut().zip(&past).zip(now).zip(&source)
                            {
                                *i = (p << (2 * bits)) | ((x as u32) << bits) | y as u32;
                            }
                        }
                        None => {
                            for (((i, &p), &x), &y) in
                                idx.iter_mut().zip(&past).zip(now).zip(&source)
                            {
                                *i = (p * a + x as u32) * a + y as u32;
                            }
                        }
                    }
                }
                None => {
                    // next * a^k + past.
                    for ((i, &p), &x) in idx.iter_mut().zip(&past).zip(now) {
                        *i = x as u32 * pasts + p;
                    }
                }
            }
            f(&idx);
            if t + 1 < t1 {
                match bits {
                    Some(bits) => {
                        let mask = pasts - 1;
                        for (p, &c) in past.iter_mut().zip(now) {
                            *p = ((*p << bits) | c as u32) & mask;
                        }
                    }
                    None => {
                        let old = self.f.step(t - self.k);
                        for ((p, &c), &o) in past.iter_mut().zip(now).zip(old) {
                            *p = (*p - o as u32 * top) * a + c as u32;
                        }
                    }
                }
            }
        }
        true
    }
}

/// A field's local AIS or TE, ready to be computed for any rows: the counts are gathered once
/// over the whole field, then [`LocalField::values_into`] fills a block of rows at a time, so
/// that a caller can write or draw the local values of a large field without holding all of
/// them (10^8 cells make 800 MB of float64). Every block's values are exactly those of the
/// whole field's computation.
pub struct LocalField<'a> {
    obs: FieldObs<'a>,
    counted: Arc<engine::Counted>,
    table: Arc<engine::LocalTable>,
}

/// A [`LocalField`]'s counts without the borrow of its field, for a holder that cannot keep
/// one (a Python object holding a numpy array): [`LocalCounts::attach`] takes the same field
/// again whenever values are wanted, without counting it again.
pub struct LocalCounts {
    k: usize,
    channel: Option<(isize, isize)>,
    /// Steps, height, width and alphabet of the field counted.
    shape: [usize; 4],
    counted: Arc<engine::Counted>,
    table: Arc<engine::LocalTable>,
}

impl LocalCounts {
    /// The local field of `field`, which must be the field these counts were taken from: its
    /// shape and alphabet are checked, its cells are not.
    pub fn attach<'a>(&self, field: impl Into<FieldRef<'a>>) -> Result<LocalField<'a>> {
        let f = field.into();
        let shape = [f.steps, f.height, f.width, f.alphabet];
        if shape != self.shape {
            return Err(bad(format!(
                "a field of {shape:?} (steps, height, width, alphabet) is not the {:?} counted",
                self.shape
            )));
        }
        Ok(LocalField {
            obs: FieldObs::new(f, self.k, self.channel)?,
            counted: Arc::clone(&self.counted),
            table: Arc::clone(&self.table),
        })
    }
}

impl<'a> LocalField<'a> {
    /// Local active information storage with history k.
    pub fn active_information(field: impl Into<FieldRef<'a>>, k: usize) -> Result<LocalField<'a>> {
        LocalField::of(FieldObs::new(field.into(), k, None)?)
    }

    /// Local transfer entropy from cell (y - dy, x - dx) one step before to cell (y, x),
    /// target history k (an elementary CA's channel j is (0, j)).
    pub fn transfer_entropy(
        field: impl Into<FieldRef<'a>>,
        k: usize,
        channel: (isize, isize),
    ) -> Result<LocalField<'a>> {
        LocalField::of(FieldObs::new(field.into(), k, Some(channel))?)
    }

    fn of(obs: FieldObs<'a>) -> Result<LocalField<'a>> {
        let counted = engine::count(&obs, Kind::Cmi)?;
        let table = Arc::new(counted.local_table());
        Ok(LocalField {
            obs,
            counted: Arc::new(counted),
            table,
        })
    }

    /// The counts, to compute values later from the same field ([`LocalCounts::attach`]).
    pub fn detach(self) -> LocalCounts {
        let f = self.obs.f;
        LocalCounts {
            k: self.obs.k,
            channel: self.obs.src.as_ref().map(|s| s.channel),
            shape: [f.steps, f.height, f.width, f.alphabet],
            counted: self.counted,
            table: self.table,
        }
    }

    /// The average over all cells and steps: the global value of the pooled estimate.
    pub fn average(&self) -> f64 {
        self.counted.value()
    }
    /// The first step with a value (k): row r of the local values is step k + r.
    pub fn offset(&self) -> usize {
        self.obs.k
    }
    /// Rows of local values: steps - k.
    pub fn rows(&self) -> usize {
        self.obs.f.steps - self.obs.k
    }
    /// Values per row: height x width.
    pub fn cells_per_row(&self) -> usize {
        self.obs.f.cells_per_step()
    }
    /// The field's height (1 for an elementary CA).
    pub fn height(&self) -> usize {
        self.obs.f.height
    }
    /// The field's width: cells per row.
    pub fn width(&self) -> usize {
        self.obs.f.width
    }

    /// The values of rows `rows` (of [`LocalField::rows`]) written into `out`, which holds
    /// their rows x cells values in the layout of [`FieldLocal::values`].
    pub fn values_into(&self, rows: std::ops::Range<usize>, out: &mut [f64]) -> Result<()> {
        if rows.start > rows.end || rows.end > self.rows() {
            return Err(bad(format!(
                "rows {}..{} are not among the {} rows of local values",
                rows.start,
                rows.end,
                self.rows()
            )));
        }
        let want = (rows.end - rows.start) * self.cells_per_row();
        if out.len() != want {
            return Err(bad(format!(
                "the local values of {} steps x {} cells need {want} places, not {}",
                rows.end - rows.start,
                self.cells_per_row(),
                out.len()
            )));
        }
        let k = self.obs.k;
        let part = self.obs.steps(k + rows.start, k + rows.end);
        self.counted.fill_locals(&self.table, &part, out);
        Ok(())
    }

    /// The values of rows `rows`, as [`LocalField::values_into`] writes them.
    pub fn values(&self, rows: std::ops::Range<usize>) -> Result<Vec<f64>> {
        let len = rows.end.saturating_sub(rows.start) * self.cells_per_row();
        let mut out = vec![0.0; len];
        self.values_into(rows, &mut out)?;
        Ok(out)
    }

    /// All values at once.
    pub fn into_field_local(self) -> Result<FieldLocal> {
        let values = self.values(0..self.rows())?;
        Ok(FieldLocal {
            average: self.average(),
            values,
            offset: self.offset(),
            steps: self.rows(),
            height: self.obs.f.height,
            width: self.obs.f.width,
        })
    }
}

/// Number of local values of a field with history k: (steps - k) x height x width.
pub fn local_len<'a>(field: impl Into<FieldRef<'a>>, k: usize) -> usize {
    let f = field.into();
    f.steps.saturating_sub(k) * f.cells_per_step()
}

/// The local values of `l` written into `out`, checked to hold one per observation; returns
/// the average.
fn all_into(l: LocalField, out: &mut [f64]) -> Result<f64> {
    l.values_into(0..l.rows(), out)?;
    Ok(l.average())
}

/// [`local_active_information`] into `out` (of [`local_len`] values, the layout of
/// [`FieldLocal::values`]); returns the average.
pub fn local_active_information_into<'a>(
    field: impl Into<FieldRef<'a>>,
    k: usize,
    out: &mut [f64],
) -> Result<f64> {
    all_into(LocalField::active_information(field, k)?, out)
}

/// [`local_transfer_entropy_2d`] into `out` (of [`local_len`] values); returns the average.
pub fn local_transfer_entropy_2d_into<'a>(
    field: impl Into<FieldRef<'a>>,
    k: usize,
    channel: (isize, isize),
    out: &mut [f64],
) -> Result<f64> {
    all_into(LocalField::transfer_entropy(field, k, channel)?, out)
}

/// Average active information storage with history k, pooled over all cells.
pub fn active_information<'a>(field: impl Into<FieldRef<'a>>, k: usize) -> Result<f64> {
    let obs = FieldObs::new(field.into(), k, None)?;
    Ok(engine::count(&obs, Kind::Cmi)?.value())
}

/// Local active information storage with history k at every cell from step k on.
pub fn local_active_information<'a>(
    field: impl Into<FieldRef<'a>>,
    k: usize,
) -> Result<FieldLocal> {
    LocalField::active_information(field, k)?.into_field_local()
}

/// Average transfer entropy along channel j (source i - j) of an elementary CA field, history k.
pub fn transfer_entropy<'a>(field: impl Into<FieldRef<'a>>, k: usize, j: isize) -> Result<f64> {
    transfer_entropy_2d(field, k, (0, j))
}

/// Local transfer entropy along channel j (source cell i - j at the previous step, target
/// history k) at every cell from step k on.
pub fn local_transfer_entropy<'a>(
    field: impl Into<FieldRef<'a>>,
    k: usize,
    j: isize,
) -> Result<FieldLocal> {
    local_transfer_entropy_2d(field, k, (0, j))
}

/// Average transfer entropy from cell (y - dy, x - dx) to cell (y, x), history k.
pub fn transfer_entropy_2d<'a>(
    field: impl Into<FieldRef<'a>>,
    k: usize,
    channel: (isize, isize),
) -> Result<f64> {
    let obs = FieldObs::new(field.into(), k, Some(channel))?;
    Ok(engine::count(&obs, Kind::Cmi)?.value())
}

/// Local transfer entropy from cell (y - dy, x - dx) to cell (y, x), history k.
pub fn local_transfer_entropy_2d<'a>(
    field: impl Into<FieldRef<'a>>,
    k: usize,
    channel: (isize, isize),
) -> Result<FieldLocal> {
    LocalField::transfer_entropy(field, k, channel)?.into_field_local()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_90_from_one_cell_draws_pascal_mod_2() {
        let mut row = vec![0u8; 9];
        row[4] = 1;
        let f = elementary(90, &row, 4).unwrap();
        assert_eq!(f.step(1), &[0, 0, 0, 1, 0, 1, 0, 0, 0]);
        assert_eq!(f.step(2), &[0, 0, 1, 0, 0, 0, 1, 0, 0]);
        assert_eq!(f.step(3), &[0, 1, 0, 1, 0, 1, 0, 1, 0]);
    }

    #[test]
    fn the_ring_wraps() {
        // Rule 170 shifts left: cell i takes the value of cell i + 1.
        let f = elementary(170, &[1, 0, 0, 0], 3).unwrap();
        assert_eq!(f.step(1), &[0, 0, 0, 1]);
        assert_eq!(f.step(2), &[0, 0, 1, 0]);
    }

    #[test]
    fn a_glider_comes_back_shifted_after_four_steps() {
        let (h, w) = (8, 8);
        let mut g = vec![0u8; h * w];
        place(&mut g, h, w, &life_pattern("glider").unwrap(), (1, 1));
        let f = life(&g, h, w, 5).unwrap();
        let mut shifted = vec![0u8; h * w];
        place(&mut shifted, h, w, &life_pattern("glider").unwrap(), (2, 2));
        assert_eq!(f.step(4), &shifted[..]);
    }

    /// A field of `alphabet` letters from a small linear congruential generator.
    fn noise(steps: usize, height: usize, width: usize, alphabet: usize, seed: u64) -> Field {
        let mut s = seed;
        let cells = (0..steps * height * width)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 33) % alphabet as u64) as u8
            })
            .collect();
        Field::new(cells, steps, height, width, alphabet).unwrap()
    }

    #[test]
    fn rows_of_dense_indices_are_the_observations_visited_one_by_one() {
        let cases = [
            (noise(40, 1, 37, 2, 1), 5, None),
            (noise(40, 1, 37, 2, 2), 5, Some((0, 1))),
            (noise(40, 1, 37, 2, 3), 3, Some((0, -2))),
            (noise(30, 1, 23, 3, 4), 4, Some((0, 1))),
            (noise(30, 1, 23, 3, 5), 4, None),
            (noise(30, 5, 7, 2, 6), 3, Some((1, 1))),
            (noise(30, 5, 7, 3, 7), 2, Some((-1, 3))),
            (noise(30, 5, 7, 4, 8), 2, Some((7, -9))),
        ];
        for (f, k, channel) in cases {
            let mut obs = FieldObs::new(f.view(), k, channel).unwrap();
            // Several blocks, the last one short.
            obs.rows = 7;
            let [cx, cy, _] = obs.cards();
            for b in 0..obs.num_blocks() {
                let mut one = Vec::new();
                obs.visit(b, |x, y, z| one.push(((z * cx + x) * cy + y) as u32));
                let mut rows = Vec::new();
                assert!(obs.visit_dense(b, |idx| rows.extend_from_slice(idx)));
                assert_eq!(one, rows, "k = {k}, channel {channel:?}, block {b}");
            }
        }
    }

    #[test]
    fn local_values_by_blocks_of_rows_are_those_of_the_whole_field() {
        for (f, k, channel) in [
            (noise(61, 1, 53, 2, 9), 6, Some((0, 1))),
            (noise(61, 1, 53, 2, 10), 6, None),
            (noise(40, 6, 9, 3, 11), 2, Some((1, -1))),
        ] {
            let whole = match channel {
                Some(ch) => local_transfer_entropy_2d(&f, k, ch).unwrap(),
                None => local_active_information(&f, k).unwrap(),
            };
            let l = match channel {
                Some(ch) => LocalField::transfer_entropy(f.view(), k, ch).unwrap(),
                None => LocalField::active_information(&f, k).unwrap(),
            };
            assert_eq!(l.rows(), whole.steps);
            assert_eq!(l.average().to_bits(), whole.average.to_bits());
            // 7 does not divide the rows; 1 and all of them are the extremes.
            for block in [1, 7, l.rows()] {
                let mut got = Vec::new();
                for r in (0..l.rows()).step_by(block) {
                    got.extend(l.values(r..(r + block).min(l.rows())).unwrap());
                }
                assert!(got
                    .iter()
                    .zip(&whole.values)
                    .all(|(a, b)| a.to_bits() == b.to_bits()));
                assert_eq!(got.len(), whole.values.len());
            }
            #[allow(clippy::reversed_empty_ranges)]
            let backwards = 3..2;
            assert!(l.values(backwards).is_err());
            assert!(l.values(0..l.rows() + 1).is_err());
            assert!(l.values_into(0..2, &mut [0.0; 3]).is_err());
            // Counts kept apart from the field give the same values once it is given again,
            // and refuse a field of another shape.
            let counts = l.detach();
            let again = counts.attach(&f).unwrap();
            let values = again.values(0..again.rows()).unwrap();
            assert!(values
                .iter()
                .zip(&whole.values)
                .all(|(a, b)| a.to_bits() == b.to_bits()));
            assert_eq!(again.average().to_bits(), whole.average.to_bits());
            let other = noise(f.steps() + 1, f.height(), f.width(), f.alphabet(), 1);
            assert!(counts.attach(&other).is_err());
        }
    }

    #[test]
    fn a_borrowed_field_is_checked_like_an_owned_one() {
        let cells = [0u8, 1, 2, 1];
        assert!(FieldRef::new(&cells, 2, 1, 2, 3).is_ok());
        let e = FieldRef::new(&cells, 2, 1, 2, 2).unwrap_err().to_string();
        assert!(e.contains("cell value 2 at position 2"), "{e}");
        assert!(FieldRef::new(&cells, 3, 1, 2, 3).is_err());
        assert_eq!(max_cell(&cells), 2);
        assert_eq!(max_cell(&[]), 0);
    }
}
