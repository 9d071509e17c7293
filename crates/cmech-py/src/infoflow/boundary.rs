//! The boundary scores of `cmech_core::infoflow::boundary`: how well a split of the variables of
//! a multivariate series into inside, boundary and environment separates inside from outside
//! (the native half of `cmech.boundary_scores`), as the class `BoundaryScores` wrapping the core's
//! result. The interpreter lock is released while counting.

use cmech_core::infoflow::{self, boundary_scores, Series, Split, MAX_ALPHABET};
use cmech_io::{Input, NoProgress};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use super::significance::SurrogateTest;
use super::Result;
use crate::document::{format, from_document, reduce, Reduced};
use crate::errors::{bad, io_to_py};
use crate::io::{hold, memory, symbols};

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
) -> PyResult<BoundaryScores> {
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
    Ok(BoundaryScores::from(scores))
}

/// How well a split of the variables into inside V, active boundary A, passive boundary P and
/// environment E separates inside from outside over one time step (Critch, «Boundaries», Part
/// 3a: a boundary as an approximate directed Markov blanket).
///
/// Built by ``cmech.boundary_scores``; ``BoundaryScores(doc)`` builds one from the core's
/// document.
#[pyclass(module = "cmech._cmech", frozen)]
pub struct BoundaryScores {
    b: infoflow::BoundaryScores,
    /// The two tests, made once, when first asked for, so that each is the same object every
    /// time.
    tests: PyOnceLock<[Option<Py<SurrogateTest>>; 2]>,
}

impl From<infoflow::BoundaryScores> for BoundaryScores {
    fn from(b: infoflow::BoundaryScores) -> Self {
        BoundaryScores {
            b,
            tests: PyOnceLock::new(),
        }
    }
}

impl BoundaryScores {
    fn test(&self, py: Python<'_>, which: usize) -> PyResult<Option<Py<SurrogateTest>>> {
        let tests = self.tests.get_or_try_init(py, || -> PyResult<_> {
            let made = |t: &Option<infoflow::SurrogateTest>| {
                t.clone()
                    .map(|t| Py::new(py, SurrogateTest::from(t)))
                    .transpose()
            };
            Ok([
                made(&self.b.infiltration_test)?,
                made(&self.b.exfiltration_test)?,
            ])
        })?;
        Ok(tests[which].as_ref().map(|t| t.clone_ref(py)))
    }
}

#[pymethods]
impl BoundaryScores {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(BoundaryScores::from(from_document::<
            infoflow::BoundaryScores,
        >(doc)?))
    }

    /// I((V, A)_{t+1} ; E_t | (V, A, P)_t) in bits: what the environment tells about the
    /// inside's next state beyond what inside and boundary tell. 0 for a perfect blanket.
    #[getter]
    fn infiltration(&self) -> f64 {
        self.b.infiltration
    }

    /// I((E, P)_{t+1} ; V_t | (A, P, E)_t) in bits: what the inside tells about the
    /// environment's next state beyond what boundary and environment tell.
    #[getter]
    fn exfiltration(&self) -> f64 {
        self.b.exfiltration
    }

    /// Time steps counted (pairs t, t + 1 over all trials).
    #[getter]
    fn observations(&self) -> usize {
        self.b.observations
    }

    /// The surrogate test of ``infiltration`` (E_t permuted) when ``surrogates`` > 0, else None.
    #[getter]
    fn infiltration_test(&self, py: Python<'_>) -> PyResult<Option<Py<SurrogateTest>>> {
        self.test(py, 0)
    }

    /// The surrogate test of ``exfiltration`` (V_t permuted) when ``surrogates`` > 0, else None.
    #[getter]
    fn exfiltration_test(&self, py: Python<'_>) -> PyResult<Option<Py<SurrogateTest>>> {
        self.test(py, 1)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "BoundaryScores(infiltration={}, exfiltration={}, observations={})",
            format(py, self.b.infiltration, ".6g")?,
            format(py, self.b.exfiltration, ".6g")?,
            self.b.observations
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().b)
    }
}
