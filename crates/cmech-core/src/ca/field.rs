//! The space-time record of an automaton, owned ([`Field`]) or borrowed ([`FieldRef`]), both
//! checked once when made, and the series a field gives when read in frames.

use crate::error::Result;
use crate::infoflow::{bad, Series};
use crate::memory;

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
    pub(super) steps: usize,
    pub(super) height: usize,
    pub(super) width: usize,
    pub(super) alphabet: usize,
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

/// Checks that a field of `steps` rows of `height` x `width` cells (at least one step) can be
/// held, before anything is made: a face calls it with the sizes a user gave, so that a field too
/// large is refused in its own terms before its initial condition is drawn.
pub fn check_size(steps: usize, height: usize, width: usize) -> Result<()> {
    crate::error::at_least_one("steps", steps)?;
    if height == 0 || width == 0 {
        return Err(bad(format!(
            "a field of {steps} x {height} x {width} cells is empty"
        )));
    }
    field_buffer(steps, height, width).map(drop)
}

/// Room for the cells of a field of `steps` rows of `height` x `width` cells, taken before any
/// is computed: a size that overflows or cannot be allocated is [`CmechError::TooLarge`] naming
/// the field.
///
/// [`CmechError::TooLarge`]: crate::CmechError::TooLarge
pub(super) fn field_buffer(steps: usize, height: usize, width: usize) -> Result<Vec<u8>> {
    let cells = memory::product(&[steps, height, width], "a field (steps x height x width)")?;
    memory::with_capacity(
        cells,
        &format!("a field of {steps} steps of {height} x {width} cells"),
    )
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
