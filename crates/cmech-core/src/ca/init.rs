//! Initial conditions: seeded random cells, and the named Life patterns placed on a torus.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::Result;
use crate::infoflow::bad;
use crate::memory;

/// A row of `width` cells, each 1 with probability `density`, from `seed`.
pub fn random_cells(len: usize, density: f64, seed: u64) -> Result<Vec<u8>> {
    if !(0.0..=1.0).contains(&density) {
        return Err(bad(format!("density {density} is not in [0, 1]")));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = memory::with_capacity(len, &format!("an initial condition of {len} cells"))?;
    if density == 0.5 {
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
    out.extend((0..len).map(|_| (density == 1.0 || rng.next_u64() < threshold) as u8));
    Ok(out)
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
    let cells = memory::product(&[height, width], "a Life torus (height x width)")?;
    let mut grid = memory::filled(cells, 0u8, &format!("a {height} x {width} torus"))?;
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
