//! The native class behind `cmech.Transducer` (a `cmech_core::Transducer`: named, from JSON,
//! driven, minimised, measured), its measures under an input (`TransducerMeasures`) and the
//! catalogue `cmech.transducers`. The interpreter lock is
//! released while driving and measuring.

use cmech_core::measures::MeasureOptions;
use cmech_core::transducer::{self as core, named_transducer, TRANSDUCERS};
use cmech_core::{memory, Transducer};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::document::{document, format, from_document, quoted, reduce, Reduced};

use crate::errors::{invalid_argument, IntoPyResult};
use crate::interrupt::in_chunks;
use crate::measures::{details, methods, statuses, value, Entry};
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

    /// The JSON document of `to_json`, as Python objects.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document(py, &self.t.to_document())
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
        let driver = self.t.driver(&input.hmm, seed).py(py)?;
        let what = format!("{n} steps of '{}'", self.t.name());
        let mut x: Vec<i64> = memory::with_capacity(n, &what).py(py)?;
        let mut y: Vec<i64> = memory::with_capacity(n, &what).py(py)?;
        in_chunks(py, n, driver, |(a, b)| {
            x.push(a as i64);
            y.push(b as i64);
        })?;
        Ok((PyArray1::from_vec(py, x), PyArray1::from_vec(py, y)))
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

    /// The measures under `input`, with values that can only be approached taken to words of
    /// `max_depth` symbols.
    fn measures(
        &self,
        py: Python<'_>,
        input: &Presentation,
        block_length: usize,
        max_depth: usize,
    ) -> PyResult<TransducerMeasures> {
        let opts = MeasureOptions {
            block_length,
            max_depth,
            ..MeasureOptions::default()
        };
        let (t, hmm) = (&self.t, &input.hmm);
        Ok(TransducerMeasures(
            py.detach(|| t.measures(hmm, &opts)).py(py)?,
        ))
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

/// The measures of a transducer driven by an input process, in bits, each saying how it was
/// obtained.
///
/// Built by ``Transducer.measures``; ``TransducerMeasures(doc)`` builds one from the core's
/// document (what ``to_dict()`` returns, or the CLI's ``cmech transducer measures --json``).
#[pyclass(module = "cmech._cmech", frozen)]
pub struct TransducerMeasures(core::TransducerMeasures);

impl TransducerMeasures {
    /// The measures, in the order they are reported.
    fn entries(&self) -> [(&'static str, Entry<'_>); 6] {
        let m = &self.0;
        [
            ("C_mu", Entry::Quantity(&m.statistical_complexity)),
            ("h_Y_given_X", Entry::Quantity(&m.conditional_entropy_rate)),
            ("I", Entry::Quantity(&m.mutual_information_rate)),
            ("h_X", Entry::Quantity(&m.input_entropy_rate)),
            ("h_Y", Entry::Quantity(&m.output_entropy_rate)),
            ("h_XY", Entry::Quantity(&m.joint_entropy_rate)),
        ]
    }
}

#[pymethods]
impl TransducerMeasures {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(TransducerMeasures(from_document(doc)?))
    }

    /// Statistical complexity: entropy of the stationary distribution over the (minimised)
    /// transducer's states under the input. None for a nonunifilar transducer (whose states are
    /// not causal states; ``details["C_mu"]["bounds"]`` bounds it).
    #[getter(C_mu)]
    fn statistical_complexity(&self) -> Option<f64> {
        value(&self.0.statistical_complexity)
    }

    /// Conditional entropy rate h(Y|X) = h(X,Y) - h(X) (float or None).
    #[getter(h_Y_given_X)]
    fn conditional_entropy_rate(&self) -> Option<f64> {
        value(&self.0.conditional_entropy_rate)
    }

    /// Mutual information rate h(X) + h(Y) - h(X,Y) (float or None).
    #[getter(I)]
    fn mutual_information_rate(&self) -> Option<f64> {
        value(&self.0.mutual_information_rate)
    }

    /// Entropy rate of the input (float or None).
    #[getter(h_X)]
    fn input_entropy_rate(&self) -> Option<f64> {
        value(&self.0.input_entropy_rate)
    }

    /// Entropy rate of the output (float or None).
    #[getter(h_Y)]
    fn output_entropy_rate(&self) -> Option<f64> {
        value(&self.0.output_entropy_rate)
    }

    /// Entropy rate of the joint process (float or None).
    #[getter(h_XY)]
    fn joint_entropy_rate(&self) -> Option<f64> {
        value(&self.0.joint_entropy_rate)
    }

    /// For each measure name, "exact", "approached" or "unknown".
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        statuses(py, &self.entries())
    }

    /// For each measure name, how it was obtained, in words.
    #[getter]
    fn methods<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        methods(py, &self.entries())
    }

    /// For each measure name, the core's full record (value, status, method and, for approached
    /// values, depth, last_change and bounds).
    #[getter]
    fn details<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        details(py, &self.entries())
    }

    /// Name of the transducer.
    #[getter]
    fn transducer(&self) -> &str {
        &self.0.transducer
    }

    /// Name of the input process.
    #[getter]
    fn input(&self) -> &str {
        &self.0.input
    }

    /// States of the minimised transducer.
    #[getter]
    fn states(&self) -> Vec<String> {
        self.0.transducer_states.clone()
    }

    /// State name -> stationary probability under the input.
    #[getter]
    fn state_distribution<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, p) in self
            .0
            .transducer_states
            .iter()
            .zip(&self.0.state_distribution)
        {
            d.set_item(name, p)?;
        }
        Ok(d)
    }

    /// Whether the minimised transducer is unifilar.
    #[getter]
    fn unifilar(&self) -> bool {
        self.0.unifilar
    }

    /// The core's document: what ``cmech transducer measures --json`` prints.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let show = |q| match value(q) {
            Some(v) => format(py, v, ".6f"),
            None => Ok("None".to_string()),
        };
        let m = &self.0;
        Ok(format!(
            "TransducerMeasures(transducer={}, input={}, C_mu={}, h_Y_given_X={}, I={})",
            quoted(py, &m.transducer)?,
            quoted(py, &m.input)?,
            show(&m.statistical_complexity)?,
            show(&m.conditional_entropy_rate)?,
            show(&m.mutual_information_rate)?
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().0)
    }
}
