//! The native half of `cmech.transfer_entropy`, `cmech.active_information`,
//! `cmech.mutual_information` (and the other estimators of `cmech._flow`), `cmech.boundary_scores`
//! and `cmech.ca`: numpy arrays in and out of `cmech_core::infoflow` and `cmech_core::ca`, with the
//! interpreter lock released while counting.
//!
//! Series arrive as 2-D int64 arrays, one trial per row (the Python layer turns a 1-D array into
//! one row), each with the name the user gave it (`source`, `target`, `condition[0]`, ...), so that
//! a bad symbol is reported by argument, row and position.

use cmech_core::ca::{self, FieldRef};
use cmech_core::infoflow::{
    self, boundary_scores, evaluate, Bias, ChiSquareTest, Measure, Series, Split, SurrogateTest,
    TeOptions, Test, Tested, MAX_ALPHABET,
};
use cmech_core::CmechError;
use cmech_io::{Input, NoProgress};
use numpy::{
    PyArray1, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyReadonlyArray3,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::data::{hold, memory, symbols};
use crate::errors::io_to_py;
use crate::IntoPyResult;

type Result<T> = std::result::Result<T, CmechError>;

fn bad(msg: impl Into<String>) -> CmechError {
    CmechError::InvalidArgument(msg.into())
}

/// One series from Python, as the data of `count_memory`: its parts (name in messages, data),
/// each a trial (a str of characters, bytes, a list of str tokens, or a 1-D or 2-D integer
/// array, whose rows are trials).
type Parts<'py> = Vec<(String, Bound<'py, PyAny>)>;

/// The series, each read through `cmech_io` as `reconstruct` reads data (one alphabet rule:
/// the symbols present, or `alphabet`), with its name in messages.
fn read_series<T: Send>(
    py: Python<'_>,
    series: Vec<Parts<'_>>,
    names: &[String],
    alphabet: Option<Vec<Bound<'_, PyAny>>>,
    run: impl FnOnce(&[&Series]) -> std::result::Result<T, CmechError> + Send,
) -> PyResult<T> {
    let alphabet = symbols(alphabet)?;
    let held = series.into_iter().map(hold).collect::<PyResult<Vec<_>>>()?;
    let memories = held
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let name = names
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("series {i}"));
            memory(h, alphabet.clone(), false, name, "<series>".into())
        })
        .collect::<PyResult<Vec<_>>>()?;
    py.detach(|| {
        let s = memories
            .into_iter()
            .map(|m| Input::from_memory(m, &NoProgress)?.series())
            .collect::<cmech_io::Result<Vec<Series>>>()?;
        let refs: Vec<&Series> = s.iter().collect();
        Ok(run(&refs)?)
    })
    .map_err(|e| io_to_py(py, e))
}

/// The parameters of an estimate.
struct Params {
    k: usize,
    l: usize,
    delay: usize,
    lag: usize,
}

/// The measure named `name` ("te": series source, target, conditions...; "ais"; "mi": x, y with
/// x lagged by `lag`; "cmi": x, y, conditions...; "entropy"; "block_entropy"; "entropy_rate")
/// over `n` series.
fn measure_of(name: &str, p: &Params, n: usize) -> Result<Measure> {
    let conditions = n.saturating_sub(2);
    Ok(match name {
        "te" => Measure::TransferEntropy {
            opts: TeOptions {
                k: p.k,
                l: p.l,
                delay: p.delay,
            },
            conditions,
        },
        "ais" => Measure::ActiveInformation { k: p.k },
        "mi" => Measure::MutualInformation {
            lag: p.lag,
            conditions: 0,
        },
        "cmi" => Measure::MutualInformation {
            lag: p.lag,
            conditions: conditions.max(1),
        },
        "entropy" => Measure::BlockEntropy { k: 1 },
        "block_entropy" => Measure::BlockEntropy { k: p.k },
        "entropy_rate" => Measure::EntropyRate { k: p.k },
        other => return Err(bad(format!("unknown information measure '{other}'"))),
    })
}

type Estimate<'py> = (
    f64,
    Option<Bound<'py, PyArray2<f64>>>,
    usize,
    Option<String>,
);

/// (value, local values (trials x steps with a value) or None, offset, a warning when the data
/// are too few for the estimate) of `measure` (see [`measure_of`]); the value has the correction
/// `bias` ("plug-in" or "miller-madow"), the local values are plug-in.
#[pyfunction]
#[pyo3(signature = (measure, series, names, alphabet=None, k=1, l=1, delay=1, lag=0, local=false, bias="plug-in"))]
#[allow(clippy::too_many_arguments)]
pub fn estimate<'py>(
    py: Python<'py>,
    measure: &str,
    series: Vec<Parts<'py>>,
    names: Vec<String>,
    alphabet: Option<Vec<Bound<'py, PyAny>>>,
    k: usize,
    l: usize,
    delay: usize,
    lag: usize,
    local: bool,
    bias: &str,
) -> PyResult<Estimate<'py>> {
    let p = Params { k, l, delay, lag };
    let m = measure_of(measure, &p, series.len()).py(py)?;
    let bias: Bias = bias.parse().py(py)?;
    let result = read_series(py, series, &names, alphabet, |refs| {
        evaluate(&m, refs, bias, local)
    })?;
    let warning = result.undersampled();
    let Some(values) = result.local else {
        return Ok((result.value, None, 0, warning));
    };
    // One row per trial; trials of different lengths are NaN-padded to the longest, as the
    // CLI writes them.
    let trials = values.lengths.len();
    let per = values.lengths.iter().copied().max().unwrap_or(0);
    let mut rows = vec![f64::NAN; trials * per];
    let mut at = 0;
    for (r, &n) in values.lengths.iter().enumerate() {
        rows[r * per..r * per + n].copy_from_slice(&values.values[at..at + n]);
        at += n;
    }
    let array = PyArray1::from_vec(py, rows).reshape([trials, per])?;
    Ok((result.value, Some(array), result.offset, warning))
}

fn surrogate_dict<'py>(py: Python<'py>, t: &SurrogateTest) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("kind", "surrogate")?;
    d.set_item("observed", t.observed)?;
    d.set_item("p_value", t.p_value)?;
    d.set_item("surrogates", t.surrogates)?;
    d.set_item("at_least", t.at_least)?;
    d.set_item("mean", t.mean)?;
    d.set_item("std", t.std)?;
    d.set_item("effective", t.effective)?;
    d.set_item("seed", t.seed)?;
    Ok(d)
}

fn chi_square_dict<'py>(py: Python<'py>, t: &ChiSquareTest) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("kind", "chi-square")?;
    d.set_item("observed", t.observed)?;
    d.set_item("statistic", t.statistic)?;
    d.set_item("df", t.df)?;
    d.set_item("p_value", t.p_value)?;
    d.set_item("observations", t.observations)?;
    Ok(d)
}

/// The significance test of `measure` (as [`estimate`]): `test` is "surrogate" (with
/// `surrogates` permutations from `seed`) or "chi-square". A dict of the test's fields, with
/// `kind`.
#[pyfunction]
#[pyo3(signature = (measure, series, names, test, alphabet=None, k=1, l=1, delay=1, lag=0, surrogates=1000, seed=0))]
#[allow(clippy::too_many_arguments)]
pub fn significance<'py>(
    py: Python<'py>,
    measure: &str,
    series: Vec<Parts<'py>>,
    names: Vec<String>,
    test: &str,
    alphabet: Option<Vec<Bound<'py, PyAny>>>,
    k: usize,
    l: usize,
    delay: usize,
    lag: usize,
    surrogates: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let chi = match test {
        "surrogate" | "surrogates" => false,
        "chi-square" | "chi2" | "chi_square" => true,
        other => {
            return Err(crate::to_py(
                py,
                bad(format!(
                    "unknown significance test '{other}' (surrogate or chi-square)"
                )),
            ))
        }
    };
    let p = Params { k, l, delay, lag };
    let m = measure_of(measure, &p, series.len()).py(py)?;
    let test = if chi {
        Test::ChiSquare
    } else {
        Test::Surrogates { surrogates, seed }
    };
    let tested = read_series(py, series, &names, alphabet, |refs| {
        infoflow::test(&m, refs, test)
    })?;
    match tested {
        Tested::Surrogates(t) => surrogate_dict(py, &t),
        Tested::ChiSquare(t) => chi_square_dict(py, &t),
    }
}

type Scores<'py> = (
    f64,
    f64,
    usize,
    Option<Bound<'py, PyDict>>,
    Option<Bound<'py, PyDict>>,
);

/// Infiltration, exfiltration, observations and (with `surrogates` > 0) their surrogate tests,
/// of the split of the variables of `data`: a 2-D integer array of `variables` x trials rows of
/// steps (variable after variable).
#[pyfunction]
#[pyo3(signature = (data, variables, inside, active, passive, environment, alphabet=None, surrogates=0, seed=0))]
#[allow(clippy::too_many_arguments)]
pub fn boundary<'py>(
    py: Python<'py>,
    data: Bound<'py, PyAny>,
    variables: usize,
    inside: Vec<usize>,
    active: Vec<usize>,
    passive: Vec<usize>,
    environment: Vec<usize>,
    alphabet: Option<Vec<Bound<'py, PyAny>>>,
    surrogates: usize,
    seed: u64,
) -> PyResult<Scores<'py>> {
    let split = Split {
        inside,
        active,
        passive,
        environment,
    };
    // `data` is (variables x trials) rows of steps, read as one input so that one alphabet
    // serves every variable, as the CLI reads a grid.
    let held = hold(vec![("data".to_string(), data)])?;
    let m = memory(
        &held,
        symbols(alphabet)?,
        false,
        "data".into(),
        "<ndarray>".into(),
    )?;
    let scores = py
        .detach(|| {
            let input = Input::from_memory(m, &NoProgress)?;
            let rows = input.sequences()?;
            let letters = input.alphabet().len();
            if rows.is_empty() || variables == 0 || rows.len() % variables != 0 {
                return Err(cmech_io::Error::from(bad("the data hold no steps")));
            }
            let trials = rows.len() / variables;
            let vars = rows
                .chunks(trials)
                .map(|trial_rows| {
                    let lengths: Vec<usize> = trial_rows.iter().map(Vec::len).collect();
                    let symbols: Vec<u8> = trial_rows.concat().iter().map(|&c| c as u8).collect();
                    if letters > MAX_ALPHABET {
                        return Err(bad(format!(
                            "the data hold {letters} distinct symbols; information-flow \
                             measures take at most {MAX_ALPHABET}"
                        )));
                    }
                    Series::with_lengths(symbols, &lengths, Some(letters))
                })
                .collect::<Result<Vec<Series>>>()?;
            let refs: Vec<&Series> = vars.iter().collect();
            Ok(boundary_scores(&refs, &split, surrogates, seed)?)
        })
        .map_err(|e| io_to_py(py, e))?;
    let inf = scores
        .infiltration_test
        .as_ref()
        .map(|t| surrogate_dict(py, t))
        .transpose()?;
    let exf = scores
        .exfiltration_test
        .as_ref()
        .map(|t| surrogate_dict(py, t))
        .transpose()?;
    Ok((
        scores.infiltration,
        scores.exfiltration,
        scores.observations,
        inf,
        exf,
    ))
}

// ---------------------------------------------------------------------------------------------
// Cellular automata.

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
        (None, Some(w)) => ca::random_cells(w, density, seed).py(py)?,
        (None, None) => {
            return Err(crate::to_py(
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
    if !local {
        let average = py
            .detach(|| {
                let f = build()?;
                if te {
                    ca::transfer_entropy_2d(f, k, channel)
                } else {
                    ca::active_information(f, k)
                }
            })
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
            let f = build()?;
            let mut out = vec![0.0f64; ca::local_len(f, k)];
            let average = if te {
                ca::local_transfer_entropy_2d_into(f, k, channel, &mut out)
            } else {
                ca::local_active_information_into(f, k, &mut out)
            }?;
            Ok::<_, CmechError>((average, out))
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
    field: Py<PyArray3<u8>>,
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
        let field = self.field.bind(py).readonly();
        let (steps, h, w) = field.as_array().dim();
        let cells = contiguous(&field).py(py)?;
        let (counts, alphabet) = (&self.counts, self.alphabet);
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
        return Err(crate::to_py(py, bad("block_rows must be at least 1")));
    }
    let te = is_te(measure).py(py)?;
    let view = field.readonly();
    let (steps, h, w) = view.as_array().dim();
    let cells = contiguous(&view).py(py)?;
    let (alphabet, counts, average, offset, rows) = py
        .detach(|| {
            let a = alphabet.unwrap_or((ca::max_cell(cells) as usize + 1).max(2));
            let f = FieldRef::new(cells, steps, h, w, a)?;
            let local = if te {
                ca::LocalField::transfer_entropy(f, k, channel)?
            } else {
                ca::LocalField::active_information(f, k)?
            };
            let (average, offset, rows) = (local.average(), local.offset(), local.rows());
            Ok::<_, CmechError>((a, local.detach(), average, offset, rows))
        })
        .py(py)?;
    drop(view);
    Ok(NativeLocalBlocks {
        field: field.unbind(),
        counts,
        alphabet,
        average,
        offset,
        rows,
        block_rows,
        next: 0,
    })
}
