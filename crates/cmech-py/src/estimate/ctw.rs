//! h_mu by context-tree weighting (`cmech_core::estimate::CtwRate`): the class `CtwRate`, the
//! `ctw` of an `Estimates` made from data.

use cmech_core::estimate as core;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use super::{bits, interval, Interval};
use crate::document::{document, from_document, reduce, Reduced};

/// The entropy rate h_mu by context-tree weighting: the mean code length of the data in bits a
/// symbol, each symbol coded from every context before it up to ``depth`` symbols, weighed
/// rather than one length chosen.
///
/// Its interval is the sampling spread of that mean (batch means of the code lengths); the value
/// lies above h_mu by CTW's model cost, which shrinks like log2(n) / n. Counts have none: they
/// hold no order to code.
///
/// Built by ``cmech.estimate`` (``blocks.ctw``); ``CtwRate(doc)`` builds one from its document
/// (what ``to_dict()`` returns, or the ``ctw`` of the ``blocks`` of ``cmech estimate --json``).
#[pyclass(module = "cmech._cmech", frozen)]
pub struct CtwRate {
    c: core::CtwRate,
    rate: PyOnceLock<Py<Interval>>,
}

impl From<core::CtwRate> for CtwRate {
    fn from(c: core::CtwRate) -> Self {
        CtwRate {
            c,
            rate: PyOnceLock::new(),
        }
    }
}

#[pymethods]
impl CtwRate {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(CtwRate::from(from_document::<core::CtwRate>(doc)?))
    }

    /// The longest context weighed: the longest usable word length of the estimates.
    #[getter]
    fn depth(&self) -> usize {
        self.c.depth
    }

    /// Symbols coded (the first ``depth`` symbols of each sequence are context only).
    #[getter]
    fn coded(&self) -> u64 {
        self.c.coded
    }

    /// The entropy rate h_mu: the mean code length in bits a symbol (an ``Interval``, its spread
    /// that of the mean by batch means).
    #[getter]
    fn h_mu(&self, py: Python<'_>) -> PyResult<Py<Interval>> {
        let made = self
            .rate
            .get_or_try_init(py, || interval(py, &self.c.entropy_rate))?;
        Ok(made.clone_ref(py))
    }

    /// The core's document: the ``ctw`` of the ``blocks`` of ``cmech estimate --json``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document(py, &self.c)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let c = &self.c;
        Ok(format!(
            "CtwRate(depth={}, coded={}, h_mu={})",
            c.depth,
            c.coded,
            bits(py, c.entropy_rate.value)?
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().c)
    }
}
