//! The native class behind `cmech.Transducer` (a `cmech_core::Transducer`: named, from JSON,
//! driven, minimised, measured) and the catalogue `cmech.transducers`. The interpreter lock is
//! released while driving and measuring.

use cmech_core::measures::MeasureOptions;
use cmech_core::transducer::{named_transducer, TRANSDUCERS};
use cmech_core::Transducer;
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{invalid_argument, IntoPyResult};
use crate::named::catalogue_entry;
use crate::presentation::Presentation;

/// A transducer (the native object behind `cmech.Transducer`).
#[pyclass(module = "cmech._cmech", frozen)]
pub struct NativeTransducer {
    pub(crate) t: Transducer,
}

#[pymethods]
impl NativeTransducer {
    /// The named transducer `name` with parameters given as (name, text value) pairs.
    #[staticmethod]
    fn named(py: Python<'_>, name: &str, params: Vec<(String, String)>) -> PyResult<Self> {
        let params: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        Ok(NativeTransducer {
            t: named_transducer(name, &params).py(py)?,
        })
    }

    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        Ok(NativeTransducer {
            t: Transducer::from_json(text).py(py)?,
        })
    }

    #[getter]
    fn name(&self) -> &str {
        self.t.name()
    }
    #[getter]
    fn inputs(&self) -> Vec<String> {
        self.t.inputs().to_vec()
    }
    #[getter]
    fn outputs(&self) -> Vec<String> {
        self.t.outputs().to_vec()
    }
    #[getter]
    fn states(&self) -> Vec<String> {
        self.t.states().to_vec()
    }
    #[getter]
    fn is_unifilar(&self) -> bool {
        self.t.is_unifilar()
    }
    #[getter]
    fn is_complete(&self) -> bool {
        self.t.is_complete()
    }

    /// Every edge as (from, input, output, to, p), by name.
    fn transitions(&self) -> Vec<(String, String, String, String, f64)> {
        let t = &self.t;
        (0..t.num_states())
            .flat_map(|i| {
                t.edges(i).iter().map(move |e| {
                    (
                        t.states()[i].clone(),
                        t.inputs()[e.input].clone(),
                        t.outputs()[e.output].clone(),
                        t.states()[e.to].clone(),
                        e.p,
                    )
                })
            })
            .collect()
    }

    fn minimize(&self) -> Self {
        NativeTransducer {
            t: self.t.minimize(),
        }
    }

    fn is_isomorphic(&self, other: &NativeTransducer, tol: f64) -> bool {
        self.t.is_isomorphic(&other.t, tol)
    }

    fn with_name(&self, name: String) -> Self {
        NativeTransducer {
            t: self.t.clone().with_name(name),
        }
    }

    fn to_json(&self) -> String {
        self.t.to_json()
    }

    fn to_dot(&self) -> String {
        self.t.to_dot()
    }

    /// `n` steps driven by `input`: (inputs, outputs) as int64 indices into the transducer's
    /// inputs and outputs.
    fn drive<'py>(
        &self,
        py: Python<'py>,
        input: &Presentation,
        n: usize,
        seed: u64,
    ) -> PyResult<InputsOutputs<'py>> {
        let (t, hmm) = (&self.t, &input.hmm);
        let (x, y) = py.detach(|| t.drive(hmm, n, seed)).py(py)?;
        Ok((int64(py, &x), int64(py, &y)))
    }

    /// The outputs answering `inputs` (indices into the transducer's inputs), from state 0.
    fn drive_sequence<'py>(
        &self,
        py: Python<'py>,
        inputs: PyReadonlyArray1<'py, i64>,
        seed: u64,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let xs = inputs.as_array();
        if let Some(i) = xs.iter().position(|&x| x < 0) {
            return Err(invalid_argument(
                py,
                format!("input {} at position {i} is negative", xs[i]),
            ));
        }
        let xs: Vec<usize> = xs.iter().map(|&x| x as usize).collect();
        let t = &self.t;
        let y = py.detach(|| t.drive_sequence(&xs, seed)).py(py)?;
        Ok(int64(py, &y))
    }

    /// The measures under `input`, as the JSON document the core serialises.
    fn measures_json(
        &self,
        py: Python<'_>,
        input: &Presentation,
        block_length: usize,
        max_depth: usize,
    ) -> PyResult<String> {
        let opts = MeasureOptions {
            block_length,
            max_depth,
            ..MeasureOptions::default()
        };
        let (t, hmm) = (&self.t, &input.hmm);
        let m = py.detach(|| t.measures(hmm, &opts)).py(py)?;
        serde_json::to_string(&m).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    fn __repr__(&self) -> String {
        format!(
            "NativeTransducer(name={:?}, states={}, inputs={}, outputs={})",
            self.t.name(),
            self.t.num_states(),
            self.t.inputs().len(),
            self.t.outputs().len()
        )
    }
}

fn int64<'py>(py: Python<'py>, v: &[usize]) -> Bound<'py, PyArray1<i64>> {
    PyArray1::from_vec(py, v.iter().map(|&s| s as i64).collect())
}

/// The named transducers: dicts with name, summary, reference and params (name, default, help).
#[pyfunction]
pub fn transducers(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    TRANSDUCERS
        .iter()
        .map(|t| catalogue_entry(py, t.name, t.summary, t.reference, t.params))
        .collect()
}

/// A driven transducer's input and output symbols, as indices.
type InputsOutputs<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>);
