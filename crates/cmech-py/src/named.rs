//! The catalogues of named things: the processes of `cmech_core::named` (and, through
//! [`catalogue_entry`], the transducers), as Python dicts.

use cmech_core::named::{ParamSpec, PROCESSES};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The named processes: a list of dicts with name, summary, reference and params
/// (each a dict with name, default, help).
#[pyfunction]
pub fn processes(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
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
