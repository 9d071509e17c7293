//! Cellular automata (`cmech_core::ca`): the native half of `cmech.ca`, fields made by rules and
//! their local active information and transfer entropy, numpy arrays in and out, with the
//! interpreter lock released while computing.

use cmech_core::ca::{self, FieldRef};
use cmech_core::CmechError;
use numpy::{
    PyArray1, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyReadonlyArray3,
};
use pyo3::prelude::*;

use crate::errors::{bad, to_py, IntoPyResult};

type Result<T> = std::result::Result<T, CmechError>;

fn rule_number(rule: i64) -> Result<u32> {
    if (0..=255).contains(&rule) {
        Ok(rule as u32)
    } else {
        Err(bad(format!(
            "unknown elementary CA rule {rule} (rules are numbered 0 to 255)"
        )))
    }
}

fn binary(values: impl Iterator<Item = i64>, what: &str) -> Result<Vec<u8>> {
    values
        .enumerate()
        .map(|(i, v)| match v {
            0 | 1 => Ok(v as u8),
            _ => Err(bad(format!("cell {i} of {what} is {v}, not 0 or 1"))),
        })
        .collect()
}

/// The field (steps x width, uint8) of elementary CA `rule` from `initial`, or from a random row
/// of `width` cells (each 1 with probability `density`, from `seed`); row 0 is the initial row.
#[pyfunction]
#[pyo3(signature = (rule, steps, width=None, initial=None, seed=0, density=0.5))]
pub fn ca_elementary<'py>(
    py: Python<'py>,
    rule: i64,
    steps: usize,
    width: Option<usize>,
    initial: Option<PyReadonlyArray1<'py, i64>>,
    seed: u64,
    density: f64,
) -> PyResult<Bound<'py, PyArray2<u8>>> {
    let rule = rule_number(rule).py(py)?;
    let row = match (&initial, width) {
        (Some(a), _) => binary(a.as_array().iter().copied(), "the initial row").py(py)?,
        (None, Some(w)) => {
            ca::check_size(steps, 1, w).py(py)?;
            ca::random_cells(w, density, seed).py(py)?
        }
        (None, None) => {
            return Err(to_py(
                py,
                bad("an elementary CA needs a width or an initial row"),
            ))
        }
    };
    let field = py.detach(|| ca::elementary(rule, &row, steps)).py(py)?;
    let (t, w) = (field.steps(), field.width());
    PyArray1::from_vec(py, field.into_cells()).reshape([t, w])
}

/// The names of the Life patterns.
#[pyfunction]
pub fn life_patterns() -> Vec<&'static str> {
    ca::LIFE_PATTERNS.to_vec()
}

/// The history length of the local measures when none is given.
#[pyfunction]
pub fn ca_default_history() -> usize {
    ca::DEFAULT_HISTORY
}

/// The field (steps x height x width, uint8) of Conway's Life on a torus from `initial`
/// (height x width), from the named `pattern` placed with its corner at `at` on an empty torus,
/// or from a random grid (density, seed).
#[pyfunction]
#[pyo3(signature = (height, width, steps, seed=0, density=0.5, initial=None, pattern=None, at=(1, 1)))]
#[allow(clippy::too_many_arguments)]
pub fn ca_life<'py>(
    py: Python<'py>,
    height: usize,
    width: usize,
    steps: usize,
    seed: u64,
    density: f64,
    initial: Option<PyReadonlyArray2<'py, i64>>,
    pattern: Option<String>,
    at: (usize, usize),
) -> PyResult<Bound<'py, PyArray3<u8>>> {
    ca::check_size(steps, height, width).py(py)?;
    let grid = match (&initial, &pattern) {
        (Some(a), _) => binary(a.as_array().iter().copied(), "the initial grid").py(py)?,
        (None, Some(name)) => ca::pattern_grid(name, height, width, at).py(py)?,
        (None, None) => ca::random_cells(height * width, density, seed).py(py)?,
    };
    let field = py.detach(|| ca::life(&grid, height, width, steps)).py(py)?;
    let (t, h, w) = (field.steps(), field.height(), field.width());
    PyArray1::from_vec(py, field.into_cells()).reshape([t, h, w])
}

type FieldEstimate<'py> = (f64, Option<Bound<'py, PyArray3<f64>>>, usize);

/// (average, local values ((steps - k) x height x width) or None, offset k) of "ais" or "te"
/// (source of (y, x) at (y - dy, x - dx) one step before) over a field (steps x height x width).
#[pyfunction]
#[pyo3(signature = (field, measure, k, channel=(0, 1), alphabet=None, local=false))]
pub fn ca_measure<'py>(
    py: Python<'py>,
    field: PyReadonlyArray3<'py, u8>,
    measure: &str,
    k: usize,
    channel: (isize, isize),
    alphabet: Option<usize>,
    local: bool,
) -> PyResult<FieldEstimate<'py>> {
    let view = field.as_array();
    let (steps, h, w) = view.dim();
    // A contiguous field (what cmech.ca passes) is read where numpy holds it; another is
    // copied once.
    let copied: Option<Vec<u8>> = match view.as_slice() {
        Some(_) => None,
        None => Some(view.iter().copied().collect()),
    };
    let cells: &[u8] = match (&copied, view.as_slice()) {
        (Some(c), _) => c,
        (None, Some(flat)) => flat,
        (None, None) => &[],
    };
    let build = || -> Result<FieldRef<'_>> {
        let a = alphabet.unwrap_or((ca::max_cell(cells) as usize + 1).max(2));
        FieldRef::new(cells, steps, h, w, a)
    };
    let te = is_te(measure).py(py)?;
    let field = |f| {
        if te {
            ca::LocalField::transfer_entropy(f, k, channel)
        } else {
            ca::LocalField::active_information(f, k)
        }
    };
    if !local {
        let average = py
            .detach(|| Ok::<_, CmechError>(field(build()?)?.average()))
            .py(py)?;
        return Ok((average, None, 0));
    }
    // The values are written into a Rust buffer that numpy then owns (no copy). Not into
    // numpy's own array: numpy asks the kernel for huge pages, and on a virtual machine that
    // hands freed memory back to its host, fresh huge pages cost 0.1 to 2 s of faults for the
    // 800 MB of a 10^4 x 10^4 field (0.3 to 0.4 s in small pages), depending on what ran before.
    let rows = steps.saturating_sub(k);
    let (average, buffer) = py
        .detach(|| {
            let l = field(build()?)?;
            let mut out = vec![0.0f64; l.rows() * l.cells_per_row()];
            l.values_into(0..l.rows(), &mut out)?;
            Ok::<_, CmechError>((l.average(), out))
        })
        .py(py)?;
    let values = PyArray1::from_vec(py, buffer).reshape([rows, h, w])?;
    Ok((average, Some(values), k))
}

/// The local AIS or TE of a field a block of rows at a time: counted once when made, each block
/// computed as it is asked for, so that only the field and one block are ever held. Iterating
/// gives (first step, values of `block_rows` steps x height x width).
#[pyclass(module = "cmech._cmech")]
pub struct NativeLocalBlocks {
    /// A copy of the field's cells (one byte each, an eighth of a block of the same rows): numpy
    /// lets an array be resized under a view of it (`resize(..., refcheck=False)`), which frees
    /// the memory a borrowed view would still read.
    cells: Vec<u8>,
    /// The field's steps, height and width.
    dims: (usize, usize, usize),
    counts: ca::LocalCounts,
    alphabet: usize,
    #[pyo3(get)]
    average: f64,
    #[pyo3(get)]
    offset: usize,
    #[pyo3(get)]
    rows: usize,
    #[pyo3(get)]
    block_rows: usize,
    next: usize,
}

/// Whether a field measure's name is "te" (rather than "ais").
fn is_te(measure: &str) -> Result<bool> {
    match measure {
        "ais" => Ok(false),
        "te" => Ok(true),
        other => Err(bad(format!("unknown field measure '{other}' (ais or te)"))),
    }
}

/// A C-contiguous field's cells, where numpy holds them (the Python layer makes it contiguous).
fn contiguous<'a>(field: &'a PyReadonlyArray3<'_, u8>) -> Result<&'a [u8]> {
    field
        .as_slice()
        .map_err(|_| bad("the field must be a C-contiguous uint8 array"))
}

#[pymethods]
impl NativeLocalBlocks {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(
        &mut self,
        py: Python<'py>,
    ) -> PyResult<Option<(usize, Bound<'py, PyArray3<f64>>)>> {
        if self.next >= self.rows {
            return Ok(None);
        }
        let rows = self.next..(self.next + self.block_rows).min(self.rows);
        let (steps, h, w) = self.dims;
        let (cells, counts, alphabet) = (&self.cells, &self.counts, self.alphabet);
        let values = py
            .detach(|| {
                let local = counts.attach(FieldRef::new(cells, steps, h, w, alphabet)?)?;
                local.values(rows.clone())
            })
            .py(py)?;
        let n = rows.end - rows.start;
        let block = PyArray1::from_vec(py, values).reshape([n, h, w])?;
        self.next = rows.end;
        Ok(Some((self.offset + rows.start, block)))
    }
}

/// The blocks of local "ais" or "te" values of a field (steps x height x width), `block_rows`
/// steps each.
#[pyfunction]
#[pyo3(signature = (field, measure, k, channel=(0, 1), alphabet=None, block_rows=1))]
pub fn ca_local_blocks(
    py: Python<'_>,
    field: Bound<'_, PyArray3<u8>>,
    measure: &str,
    k: usize,
    channel: (isize, isize),
    alphabet: Option<usize>,
    block_rows: usize,
) -> PyResult<NativeLocalBlocks> {
    if block_rows == 0 {
        return Err(to_py(py, bad("block_rows must be at least 1")));
    }
    let te = is_te(measure).py(py)?;
    let view = field.readonly();
    let (steps, h, w) = view.as_array().dim();
    let cells = contiguous(&view).py(py)?.to_vec();
    drop(view);
    let (alphabet, counts, average, offset, rows) = py
        .detach(|| {
            let a = alphabet.unwrap_or((ca::max_cell(&cells) as usize + 1).max(2));
            let f = FieldRef::new(&cells, steps, h, w, a)?;
            let local = if te {
                ca::LocalField::transfer_entropy(f, k, channel)?
            } else {
                ca::LocalField::active_information(f, k)?
            };
            let (average, offset, rows) = (local.average(), local.offset(), local.rows());
            Ok::<_, CmechError>((a, local.detach(), average, offset, rows))
        })
        .py(py)?;
    Ok(NativeLocalBlocks {
        cells,
        dims: (steps, h, w),
        counts,
        alphabet,
        average,
        offset,
        rows,
        block_rows,
        next: 0,
    })
}
