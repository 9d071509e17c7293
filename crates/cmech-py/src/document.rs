//! What the result classes share. Each wraps the core's own result struct; its `to_dict()` is the
//! struct's serde document ([`document`]), its pickle the struct as it is ([`reduce`]), and its
//! constructor takes either back ([`from_document`]). Reprs use Python's format mini-language
//! ([`format`], [`quoted`]), so that they read as Python's own.

use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PyString, PyTuple, PyType};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// `value` as the document the CLI prints with `--json`, in Python objects: pythonized, then as
/// JSON holds it ([`as_json`]), so that `to_dict()` equals `json.loads` of the CLI's output. No
/// text is written or parsed; serde_json's `Value` would do the same but sort the keys.
pub(crate) fn document<'py, T: Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    as_json(pythonize::pythonize(py, value)?)
}

/// A pythonized value as JSON holds it: tuples are lists, and a number JSON cannot write (an
/// infinity, NaN) is None, as serde_json writes it for the CLI. The core's results have no maps
/// with other keys than strings, which JSON would turn into strings.
fn as_json(obj: Bound<'_, PyAny>) -> PyResult<Bound<'_, PyAny>> {
    let py = obj.py();
    if let Ok(d) = obj.cast::<PyDict>() {
        for (k, v) in d.iter() {
            d.set_item(k, as_json(v)?)?;
        }
        Ok(obj)
    } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items = obj
            .try_iter()?
            .map(|v| as_json(v?))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any())
    } else if obj.cast::<PyFloat>().is_ok_and(|x| !x.value().is_finite()) {
        Ok(py.None().into_bound(py))
    } else {
        Ok(obj)
    }
}

/// A result from a document: what pickling keeps, or a `to_dict()`.
pub(crate) fn from_document<T: DeserializeOwned>(document: &Bound<'_, PyAny>) -> PyResult<T> {
    pythonize::depythonize(document).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// What `__reduce__` returns: the class, and the document its constructor takes.
pub(crate) type Reduced<'py> = (Bound<'py, PyType>, (Bound<'py, PyAny>,));

/// Pickles the result class `slf` as its class and `value` pythonized (infinities and tuples kept,
/// unlike [`document`]), so that unpickling builds the same struct.
pub(crate) fn reduce<'py, T: Serialize>(
    slf: &Bound<'py, PyAny>,
    value: &T,
) -> PyResult<Reduced<'py>> {
    Ok((slf.get_type(), (pythonize::pythonize(slf.py(), value)?,)))
}

/// `x` formatted by Python's `format(x, spec)` (Rust has no `g` format, and writes NaN otherwise).
pub(crate) fn format(py: Python<'_>, x: f64, spec: &str) -> PyResult<String> {
    PyFloat::new(py, x)
        .call_method1(intern!(py, "__format__"), (spec,))?
        .extract()
}

/// `s` as Python's `repr` writes it.
pub(crate) fn quoted(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(PyString::new(py, s).repr()?.to_string())
}
