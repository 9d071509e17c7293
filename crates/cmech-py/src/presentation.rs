//! The native class `Presentation` (behind `cmech.Process`): a `cmech_core::Hmm` built from a
//! name, JSON or matrices, with its own methods (sampling, minimising, comparing). The interpreter
//! lock is released while sampling and minimising.

use cmech_core::named::named;
use cmech_core::sample::{Sampler, Start};
use cmech_core::{memory, CmechError, Hmm};
use numpy::{PyArray1, PyArray2, PyReadonlyArray2};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::document::document;
use crate::errors::{to_py, IntoPyResult};
use crate::interrupt::in_chunks;

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

    /// The JSON document of `to_json`, as Python objects.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document(py, &self.hmm.to_document())
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
        let mut symbols: Vec<i64> =
            memory::with_capacity(n, &format!("a sample of {n} symbols")).py(py)?;
        in_chunks(py, n, sampler, |x| symbols.push(x as i64))?;
        Ok(PyArray1::from_vec(py, symbols))
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
