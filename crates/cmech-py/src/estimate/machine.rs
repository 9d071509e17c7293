//! A reconstructed machine's measures as estimates of the process's
//! (`cmech_core::estimate::MachineEstimates`): the class `MachineEstimates`, whose intervals come
//! from the machine's parametric bootstrap, and whose `block_entropies` are the data's with
//! intervals from the same samples.

use cmech_core::estimate as core;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use super::{bits, interval, Estimates, Interval};
use crate::document::{document, from_document, reduce, Reduced};

/// The reconstructed machine's C_mu, h_mu and E as estimates of the process's, with intervals
/// from its parametric bootstrap, and the data's block entropies with intervals from the same
/// samples (``block_entropies``).
///
/// Built by ``cmech.estimate`` (its ``machine``); ``MachineEstimates(doc)`` builds one from the
/// core's document (what ``to_dict()`` returns, or the ``machine`` of ``cmech estimate --json``).
#[pyclass(module = "cmech._cmech", frozen)]
pub struct MachineEstimates {
    m: core::MachineEstimates,
    intervals: PyOnceLock<Measured>,
    blocks: PyOnceLock<Py<Estimates>>,
}

/// C_mu, h_mu and E (None when unknown), as made for Python.
type Measured = (Py<Interval>, Py<Interval>, Option<Py<Interval>>);

impl From<core::MachineEstimates> for MachineEstimates {
    fn from(m: core::MachineEstimates) -> Self {
        MachineEstimates {
            m,
            intervals: PyOnceLock::new(),
            blocks: PyOnceLock::new(),
        }
    }
}

impl MachineEstimates {
    fn made(&self, py: Python<'_>) -> PyResult<&Measured> {
        self.intervals.get_or_try_init(py, || {
            let m = &self.m;
            Ok::<_, PyErr>((
                interval(py, &m.statistical_complexity)?,
                interval(py, &m.entropy_rate)?,
                m.excess_entropy
                    .as_ref()
                    .map(|e| interval(py, e))
                    .transpose()?,
            ))
        })
    }
}

#[pymethods]
impl MachineEstimates {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(MachineEstimates::from(from_document::<
            core::MachineEstimates,
        >(doc)?))
    }

    /// States of the machine reconstructed from the data.
    #[getter]
    fn states(&self) -> usize {
        self.m.states
    }

    /// Statistical complexity C_mu of the machine (an ``Interval``: the value exact for the
    /// machine, the spread that of the replicates' C_mu).
    #[getter(C_mu)]
    fn statistical_complexity(&self, py: Python<'_>) -> PyResult<Py<Interval>> {
        Ok(self.made(py)?.0.clone_ref(py))
    }

    /// Entropy rate h_mu of the machine (an ``Interval``, likewise).
    #[getter]
    fn h_mu(&self, py: Python<'_>) -> PyResult<Py<Interval>> {
        Ok(self.made(py)?.1.clone_ref(py))
    }

    /// Excess entropy E of the machine (an ``Interval``, likewise), or None when it could not be
    /// computed exactly.
    #[getter(E)]
    fn excess_entropy(&self, py: Python<'_>) -> PyResult<Option<Py<Interval>>> {
        Ok(self.made(py)?.2.as_ref().map(|e| e.clone_ref(py)))
    }

    /// ``(states, replicates whose machine has that many)``, by states: how sure the structure
    /// is.
    #[getter]
    fn state_counts(&self) -> Vec<(usize, usize)> {
        self.m.state_counts.clone()
    }

    /// Replicates reconstructed.
    #[getter]
    fn replicates(&self) -> usize {
        self.m.replicates
    }

    /// Seed of the replicates' samples.
    #[getter]
    fn seed(&self) -> u64 {
        self.m.seed
    }

    /// How the values were obtained, in words.
    #[getter]
    fn method(&self) -> &str {
        &self.m.method
    }

    /// The data's block entropies, h_mu and E (an ``Estimates`` whose ``resampling`` is
    /// ``"machine"``), their values from the data's words and their intervals from the same
    /// samples of the machine: beside the word bootstrap's for data, and the only intervals
    /// counts can have (``cmech.estimate`` of counts returns them as its ``blocks``).
    #[getter]
    fn block_entropies(&self, py: Python<'_>) -> PyResult<Py<Estimates>> {
        let made = self.blocks.get_or_try_init(py, || {
            Py::new(py, Estimates::from(self.m.block_entropies.clone()))
        })?;
        Ok(made.clone_ref(py))
    }

    /// The core's document: the ``machine`` of ``cmech estimate --json``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document(py, &self.m)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let m = &self.m;
        let e = match &m.excess_entropy {
            Some(e) => bits(py, e.value)?,
            None => "None".into(),
        };
        Ok(format!(
            "MachineEstimates(states={}, C_mu={}, h_mu={}, E={e}, replicates={})",
            m.states,
            bits(py, m.statistical_complexity.value)?,
            bits(py, m.entropy_rate.value)?,
            m.replicates
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().m)
    }
}
