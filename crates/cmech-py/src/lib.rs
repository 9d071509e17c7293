//! The native half of the Python package `cmech`: a thin layer over `cmech_core`.
//!
//! Everything a user touches is in the pure-Python package (`python/cmech`), which wraps the
//! [`Presentation`] class defined here, turns results into documented Python classes and checks
//! arguments. Errors of the core are raised as the classes of `cmech._errors`, chosen by variant,
//! with the core's own message (the text the CLI prints).

mod beliefs;
mod data;
mod errors;
mod flow;
mod transducer;

pub(crate) use errors::to_py;

use cmech_core::measures::{measures, MeasureOptions};
use cmech_core::named::{named, ParamSpec, PROCESSES};
use cmech_core::sample::{Sampler, Start};
use cmech_core::{CmechError, Hmm};
use numpy::{PyArray1, PyArray2, PyReadonlyArray2};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

pub(crate) trait IntoPyResult<T> {
    fn py(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, CmechError> {
    fn py(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}

fn invalid_presentation(py: Python<'_>, message: String) -> PyErr {
    to_py(py, CmechError::InvalidPresentation(message))
}

/// An edge-emitting hidden Markov model (the native object behind `cmech.Process`).
#[pyclass(module = "cmech._cmech", frozen)]
pub struct Presentation {
    pub(crate) hmm: Hmm,
}

#[pymethods]
impl Presentation {
    /// The named process `name` with parameters given as (name, text value) pairs.
    #[staticmethod]
    fn named(py: Python<'_>, name: &str, params: Vec<(String, String)>) -> PyResult<Presentation> {
        let params: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        Ok(Presentation {
            hmm: named(name, &params).py(py)?,
        })
    }

    /// Parses and validates a presentation from the cmech JSON format.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Presentation> {
        Ok(Presentation {
            hmm: Hmm::from_json(text).py(py)?,
        })
    }

    /// Builds a presentation from one `n x n` float64 matrix per symbol.
    #[staticmethod]
    fn from_matrices(
        py: Python<'_>,
        name: String,
        alphabet: Vec<String>,
        states: Vec<String>,
        matrices: Vec<PyReadonlyArray2<'_, f64>>,
    ) -> PyResult<Presentation> {
        let n = states.len();
        let mut dense = Vec::with_capacity(matrices.len());
        for (x, m) in matrices.iter().enumerate() {
            let view = m.as_array();
            let symbol = alphabet.get(x).map(String::as_str).unwrap_or("?");
            if view.nrows() != n || view.ncols() != n {
                return Err(invalid_presentation(
                    py,
                    format!(
                        "matrix of symbol {symbol} is {} x {}, expected {n} x {n} ({n} states)",
                        view.nrows(),
                        view.ncols()
                    ),
                ));
            }
            dense.push(
                view.rows()
                    .into_iter()
                    .map(|r| r.to_vec())
                    .collect::<Vec<_>>(),
            );
        }
        Ok(Presentation {
            hmm: Hmm::from_matrices(name, alphabet, states, &dense).py(py)?,
        })
    }

    #[getter]
    fn name(&self) -> &str {
        self.hmm.name()
    }

    #[getter]
    fn alphabet(&self) -> Vec<String> {
        self.hmm.alphabet().to_vec()
    }

    #[getter]
    fn states(&self) -> Vec<String> {
        self.hmm.states().to_vec()
    }

    #[getter]
    fn is_unifilar(&self) -> bool {
        self.hmm.is_unifilar()
    }

    #[getter]
    fn is_strongly_connected(&self) -> bool {
        self.hmm.is_strongly_connected()
    }

    /// The same presentation under another name.
    fn with_name(&self, name: String) -> Presentation {
        Presentation {
            hmm: self.hmm.clone().with_name(name),
        }
    }

    /// One dense `n x n` float64 array per symbol, in alphabet order.
    fn matrices<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyArray2<f64>>>> {
        self.hmm
            .matrices()
            .iter()
            .map(|m| PyArray2::from_vec2(py, m).map_err(|e| PyRuntimeError::new_err(e.to_string())))
            .collect()
    }

    fn stationary_distribution<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let pi = self.hmm.stationary_distribution().py(py)?;
        Ok(PyArray1::from_vec(py, pi))
    }

    /// The epsilon-machine: states with identical futures merged.
    fn minimize(&self, py: Python<'_>) -> PyResult<Presentation> {
        let hmm = &self.hmm;
        let eps = py.detach(|| hmm.minimize()).py(py)?;
        Ok(Presentation { hmm: eps })
    }

    fn is_isomorphic(&self, other: &Presentation, tol: f64) -> bool {
        self.hmm.is_isomorphic(&other.hmm, tol)
    }

    fn to_json(&self) -> String {
        self.hmm.to_json()
    }

    fn to_dot(&self) -> String {
        self.hmm.to_dot()
    }

    /// `n` symbol indices (int64), from a stationary start or from state index `start`.
    /// The GIL is released while sampling.
    #[pyo3(signature = (n, seed, start=None))]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        n: usize,
        seed: u64,
        start: Option<usize>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let start = start.map_or(Start::Stationary, Start::State);
        let sampler = Sampler::new(&self.hmm, seed, start).py(py)?;
        let symbols: Vec<i64> = py.detach(move || {
            let mut out = Vec::with_capacity(n);
            out.extend(sampler.take(n).map(|x| x as i64));
            out
        });
        Ok(PyArray1::from_vec(py, symbols))
    }

    /// Every measure, as the JSON document the core serialises (the CLI's `--json` output).
    /// The GIL is released while computing.
    fn measures_json(
        &self,
        py: Python<'_>,
        block_length: usize,
        max_depth: usize,
    ) -> PyResult<String> {
        let opts = MeasureOptions {
            block_length,
            max_depth,
            ..MeasureOptions::default()
        };
        let hmm = &self.hmm;
        let m = py.detach(|| measures(hmm, &opts)).py(py)?;
        serde_json::to_string(&m).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    fn __repr__(&self) -> String {
        format!(
            "Presentation(name={:?}, states={}, symbols={})",
            self.hmm.name(),
            self.hmm.num_states(),
            self.hmm.num_symbols()
        )
    }
}

/// The named processes: a list of dicts with name, summary, reference and params
/// (each a dict with name, default, help).
#[pyfunction]
fn processes(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    PROCESSES
        .iter()
        .map(|p| catalogue_entry(py, p.name, p.summary, p.reference, p.params))
        .collect()
}

/// One entry of a catalogue of named things (processes, transducers): a dict with name, summary,
/// reference and params (each a dict with name, default, help).
pub(crate) fn catalogue_entry<'py>(
    py: Python<'py>,
    name: &str,
    summary: &str,
    reference: &str,
    params: &[ParamSpec],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", name)?;
    d.set_item("summary", summary)?;
    d.set_item("reference", reference)?;
    let params = params
        .iter()
        .map(|s| {
            let q = PyDict::new(py);
            q.set_item("name", s.name)?;
            q.set_item("default", s.default)?;
            q.set_item("help", s.help)?;
            Ok(q)
        })
        .collect::<PyResult<Vec<_>>>()?;
    d.set_item("params", params)?;
    Ok(d)
}

#[pymodule]
fn _cmech(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Presentation>()?;
    m.add_function(wrap_pyfunction!(processes, m)?)?;
    m.add_class::<data::NativeCounts>()?;
    m.add_function(wrap_pyfunction!(data::count_files, m)?)?;
    m.add_function(wrap_pyfunction!(data::count_memory, m)?)?;
    m.add_function(wrap_pyfunction!(data::paths_are_shards, m)?)?;
    m.add_function(wrap_pyfunction!(data::check_options, m)?)?;
    m.add_function(wrap_pyfunction!(data::hold_out, m)?)?;
    m.add_function(wrap_pyfunction!(data::holdout_window, m)?)?;
    m.add_function(wrap_pyfunction!(data::reconstruction_methods, m)?)?;
    m.add_function(wrap_pyfunction!(data::reconstruct_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(beliefs::mixed_states, m)?)?;
    m.add_function(wrap_pyfunction!(beliefs::trajectories, m)?)?;
    m.add_function(wrap_pyfunction!(beliefs::symbol_indices, m)?)?;
    m.add_function(wrap_pyfunction!(data::input_formats, m)?)?;
    m.add_function(wrap_pyfunction!(errors::error_classes, m)?)?;
    m.add_function(wrap_pyfunction!(beliefs::table, m)?)?;
    m.add_function(wrap_pyfunction!(beliefs::project_beliefs, m)?)?;
    m.add_function(wrap_pyfunction!(beliefs::describe_projection, m)?)?;
    m.add_function(wrap_pyfunction!(flow::estimate, m)?)?;
    m.add_function(wrap_pyfunction!(flow::significance, m)?)?;
    m.add_function(wrap_pyfunction!(flow::boundary, m)?)?;
    m.add_function(wrap_pyfunction!(flow::ca_elementary, m)?)?;
    m.add_function(wrap_pyfunction!(flow::ca_default_history, m)?)?;
    m.add_function(wrap_pyfunction!(flow::ca_life, m)?)?;
    m.add_function(wrap_pyfunction!(flow::life_patterns, m)?)?;
    m.add_function(wrap_pyfunction!(flow::ca_measure, m)?)?;
    m.add_function(wrap_pyfunction!(flow::ca_local_blocks, m)?)?;
    m.add_class::<flow::NativeLocalBlocks>()?;
    m.add_class::<transducer::NativeTransducer>()?;
    m.add_function(wrap_pyfunction!(transducer::transducers, m)?)?;
    m.add_function(wrap_pyfunction!(transducer::reconstruct_transducer, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
