//! Information flow on series (`cmech_core::infoflow`): the native half of
//! `cmech.transfer_entropy`, `cmech.active_information`, `cmech.mutual_information` (and the other
//! estimators of `cmech._flow`), `cmech.significance` and `cmech.boundary_scores`: numpy arrays in
//! and out, with the interpreter lock released while counting.
//!
//! Series arrive as 2-D int64 arrays, one trial per row (the Python layer turns a 1-D array into
//! one row), each with the name the user gave it (`source`, `target`, `condition[0]`, ...), so that
//! a bad symbol is reported by argument, row and position. The results of tests are the classes
//! of [`significance`], the boundary scores those of [`boundary`], as in the core.

pub(crate) mod boundary;
pub(crate) mod significance;

use cmech_core::infoflow::{self, evaluate, Bias, Measure, Series, TeOptions, Test, Tested};
use cmech_core::CmechError;
use cmech_io::{Input, NoProgress};
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;

use crate::errors::{bad, io_to_py, to_py, IntoPyResult};
use crate::io::{hold, memory, symbols};
use significance::{ChiSquareTest, SurrogateTest};

pub(crate) type Result<T> = std::result::Result<T, CmechError>;

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

/// The canonical name of the correction `bias`, refused (by the core's rule, the CLI's too) where
/// it would correct nothing: with local values or a significance test, both plug-in.
#[pyfunction]
pub fn check_bias(py: Python<'_>, bias: &str, local: bool, tested: bool) -> PyResult<&'static str> {
    let b: Bias = bias.parse().py(py)?;
    b.check_with(local, tested).py(py)?;
    Ok(b.name())
}

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

/// The significance test of `measure` (as [`estimate`]): `test` is "surrogate" (with
/// `surrogates` permutations from `seed`, a `SurrogateTest`) or "chi-square" (a
/// `ChiSquareTest`).
#[pyfunction]
#[pyo3(name = "significance", signature = (measure, series, names, test, alphabet=None, k=1, l=1, delay=1, lag=0, surrogates=1000, seed=0))]
#[allow(clippy::too_many_arguments)]
pub fn test<'py>(
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
) -> PyResult<Bound<'py, PyAny>> {
    let chi = match test {
        "surrogate" | "surrogates" => false,
        "chi-square" | "chi2" | "chi_square" => true,
        other => {
            return Err(to_py(
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
    Ok(match tested {
        Tested::Surrogates(t) => Bound::new(py, SurrogateTest::from(t))?.into_any(),
        Tested::ChiSquare(t) => Bound::new(py, ChiSquareTest::from(t))?.into_any(),
    })
}
