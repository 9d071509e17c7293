//! The information measures of a presentation (`cmech_core::measures`): the class `Measures`
//! (what `Process.measures` returns) wrapping the core's result, and how a measure's value and
//! report read in Python, shared with the transducer's measures. The interpreter lock is
//! released while measuring.

use cmech_core::measures::{self as core, MeasureOptions, Order, Quantity, Status};
use numpy::PyArray1;
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat};

use crate::document::{document, format, from_document, quoted, reduce, Reduced};
use crate::errors::IntoPyResult;
use crate::presentation::Presentation;

/// Every measure of `p`, with block entropies H(0) .. H(`block_length`) and values that can only
/// be approached taken to words of `max_depth` symbols.
#[pyfunction]
pub fn measures(
    py: Python<'_>,
    p: &Presentation,
    block_length: usize,
    max_depth: usize,
) -> PyResult<Measures> {
    let opts = MeasureOptions {
        block_length,
        max_depth,
        ..MeasureOptions::default()
    };
    let hmm = &p.hmm;
    Ok(Measures(py.detach(|| core::measures(hmm, &opts)).py(py)?))
}

/// A reported measure: a value in bits or an order, with how it was obtained.
#[derive(Clone, Copy)]
pub(crate) enum Entry<'a> {
    Quantity(&'a Quantity),
    Order(&'a Order),
}

impl Entry<'_> {
    fn status(self) -> Status {
        match self {
            Entry::Quantity(q) => q.status,
            Entry::Order(o) => o.status,
        }
    }

    /// The value as Python has it: `math.inf` when infinite, None when unknown, else a float (an
    /// int for an order).
    fn value<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if self.status() == Status::Infinite {
            return Ok(PyFloat::new(py, f64::INFINITY).into_any());
        }
        Ok(match self {
            Entry::Quantity(q) => q.value.into_pyobject(py)?,
            Entry::Order(o) => o.value.into_pyobject(py)?,
        })
    }
}

/// A quantity's value: `math.inf` when infinite, None when unknown.
pub(crate) fn value(q: &Quantity) -> Option<f64> {
    match q.status {
        Status::Infinite => Some(f64::INFINITY),
        _ => q.value,
    }
}

/// The name a status has in the core's documents.
fn status_name(s: Status) -> &'static str {
    match s {
        Status::Exact => "exact",
        Status::Approached => "approached",
        Status::Infinite => "infinite",
        Status::Unknown => "unknown",
    }
}

/// Measure name -> status name (`status`).
pub(crate) fn statuses<'py>(
    py: Python<'py>,
    entries: &[(&str, Entry)],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, e) in entries {
        d.set_item(name, status_name(e.status()))?;
    }
    Ok(d)
}

/// Measure name -> how it was obtained, in words (`methods`).
pub(crate) fn methods<'py>(
    py: Python<'py>,
    entries: &[(&str, Entry)],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, e) in entries {
        let method = match e {
            Entry::Quantity(q) => &q.method,
            Entry::Order(o) => &o.method,
        };
        d.set_item(name, method)?;
    }
    Ok(d)
}

/// Measure name -> the core's record of it, as the CLI prints it (`details`).
pub(crate) fn details<'py>(
    py: Python<'py>,
    entries: &[(&str, Entry)],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, e) in entries {
        let record = match e {
            Entry::Quantity(q) => document(py, q)?,
            Entry::Order(o) => document(py, o)?,
        };
        d.set_item(name, record)?;
    }
    Ok(d)
}

/// The information measures of a process, in bits, each saying how it was obtained.
///
/// Built by ``Process.measures``; ``Measures(doc)`` builds one from the core's document (what
/// ``to_dict()`` returns, or the CLI's ``cmech measures --json``). ``m["E"]`` is ``m.E``, for
/// code that loops over measure names.
#[pyclass(module = "cmech._cmech", frozen)]
pub struct Measures(core::Measures);

impl Measures {
    /// The measures with a real value, then the orders, in the order they are reported.
    fn entries(&self) -> [(&'static str, Entry<'_>); 8] {
        let m = &self.0;
        [
            ("h_mu", Entry::Quantity(&m.entropy_rate)),
            ("E", Entry::Quantity(&m.excess_entropy)),
            ("C_mu", Entry::Quantity(&m.statistical_complexity)),
            ("chi", Entry::Quantity(&m.crypticity)),
            ("T", Entry::Quantity(&m.transient_information)),
            ("S", Entry::Quantity(&m.synchronization_information)),
            ("markov_order", Entry::Order(&m.markov_order)),
            ("cryptic_order", Entry::Order(&m.cryptic_order)),
        ]
    }
}

#[pymethods]
impl Measures {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Measures(from_document(doc)?))
    }

    /// Entropy rate h_mu (float; ``math.inf`` when it diverges, None when it could not be
    /// determined: see ``methods``).
    #[getter]
    fn h_mu(&self) -> Option<f64> {
        value(&self.0.entropy_rate)
    }

    /// Excess entropy E = I[past; future] (float, ``math.inf`` or None).
    #[getter(E)]
    fn excess_entropy(&self) -> Option<f64> {
        value(&self.0.excess_entropy)
    }

    /// Statistical complexity C_mu = H[causal state] (float, ``math.inf`` or None).
    #[getter(C_mu)]
    fn statistical_complexity(&self) -> Option<f64> {
        value(&self.0.statistical_complexity)
    }

    /// Crypticity chi = C_mu - E (float, ``math.inf`` or None).
    #[getter]
    fn chi(&self) -> Option<f64> {
        value(&self.0.crypticity)
    }

    /// Transient information T (float, ``math.inf`` or None).
    #[getter(T)]
    fn transient_information(&self) -> Option<f64> {
        value(&self.0.transient_information)
    }

    /// Synchronization information S, the sum of ``state_uncertainty`` (float, ``math.inf`` or
    /// None).
    #[getter(S)]
    fn synchronization_information(&self) -> Option<f64> {
        value(&self.0.synchronization_information)
    }

    /// Markov order R (int; ``math.inf`` when infinite, None when unknown).
    #[getter]
    fn markov_order<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Entry::Order(&self.0.markov_order).value(py)
    }

    /// Cryptic order k (int; ``math.inf`` when infinite, None when unknown).
    #[getter]
    fn cryptic_order<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Entry::Order(&self.0.cryptic_order).value(py)
    }

    /// Block entropies H(0), H(1), ..., H(L) (float64 array).
    #[getter]
    fn block_entropies<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.0.block_entropies)
    }

    /// Whether the block entropies are exact.
    #[getter]
    fn block_entropies_exact(&self) -> bool {
        self.0.block_entropies_exact
    }

    /// H[S_L | X_{0:L}] for L = 0, 1, ... (float64 array): the observer's remaining uncertainty
    /// in the hidden state (the causal state for a unifilar presentation) after L symbols; S is
    /// its sum.
    #[getter]
    fn state_uncertainty<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.0.state_uncertainty)
    }

    /// For each measure name, "exact", "approached", "infinite" or "unknown".
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        statuses(py, &self.entries())
    }

    /// For each measure name, how the value was obtained, in words.
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

    /// Name of the process measured.
    #[getter]
    fn process(&self) -> &str {
        &self.0.process
    }

    /// Number of states of the presentation measured.
    #[getter]
    fn presentation_states(&self) -> usize {
        self.0.presentation_states
    }

    /// Whether that presentation is unifilar.
    #[getter]
    fn unifilar(&self) -> bool {
        self.0.unifilar
    }

    /// Number of causal states when the epsilon-machine is finite and was found, else None.
    #[getter]
    fn epsilon_machine_states(&self) -> Option<usize> {
        self.0.epsilon_machine_states
    }

    /// h(L) = H(L) - H(L-1) for L = 1 .. len(block_entropies) - 1: the entropy-rate estimates
    /// that converge to h_mu from above.
    #[getter]
    fn entropy_rate_estimates<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        let h = &self.0.block_entropies;
        PyArray1::from_iter(py, h.windows(2).map(|w| w[1] - w[0]))
    }

    /// The measures as plain JSON-ready data: the core library's result document, the one the
    /// CLI's ``cmech measures --json`` prints (each measure a dict with value, status, method;
    /// value is None when infinite or unknown).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document(py, &self.0)
    }

    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let name = key.extract::<String>().ok();
        match self
            .entries()
            .iter()
            .find(|(n, _)| name.as_deref() == Some(*n))
        {
            Some((_, e)) => e.value(py),
            None => Err(PyKeyError::new_err(key.clone().unbind())),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let mut parts = Vec::new();
        for (name, e) in self.entries() {
            let shown = match (e, e.status()) {
                (_, Status::Infinite) => "inf".to_string(),
                (Entry::Quantity(q), _) => match q.value {
                    Some(v) => format(py, v, ".6f")?,
                    None => "None".into(),
                },
                (Entry::Order(o), _) => o.value.map_or("None".into(), |v| v.to_string()),
            };
            parts.push(format!("{name}={shown}"));
        }
        Ok(format!(
            "Measures(process={}, {})",
            quoted(py, &self.0.process)?,
            parts.join(", ")
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().0)
    }
}
