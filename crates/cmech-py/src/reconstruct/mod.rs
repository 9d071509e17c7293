//! Reconstruction: the options and plan of `cmech_core::reconstruct` from Python's arguments
//! (checked by the core, the values given quoted back), the reconstruction of counts, and its
//! parts as the core has them: what it reports besides the machine ([`diagnostics`]), the
//! held-out comparison ([`holdout`]) and transducers ([`transducer`]). The interpreter lock is
//! released while reconstructing.

pub(crate) mod diagnostics;
pub(crate) mod holdout;
pub(crate) mod transducer;

use cmech_core::reconstruct::{Method, Plan, ReconstructOptions, Request, Test};
use pyo3::prelude::*;

use crate::counts::NativeCounts;
use crate::errors::{invalid_argument, io_to_py, quoting, size, to_py};
use crate::presentation::Presentation;
use crate::threads::on_threads;
use diagnostics::Diagnostics;

fn parse_method(py: Python<'_>, method: &str) -> PyResult<Method> {
    method.parse::<Method>().map_err(|e| to_py(py, e))
}

fn parse_test(py: Python<'_>, test: &str) -> PyResult<Test> {
    test.parse::<Test>().map_err(|e| to_py(py, e))
}

/// What the caller asked of a reconstruction, each option given or not; the core turns it into
/// a plan (a selection when no method, alpha, test or future is given).
fn request(
    py: Python<'_>,
    method: Option<&str>,
    max_history: Option<i64>,
    alpha: Option<f64>,
    test: Option<&str>,
    future: Option<i64>,
) -> PyResult<Request> {
    Ok(Request {
        method: method.map(|m| parse_method(py, m)).transpose()?,
        max_history: max_history.map(size),
        alpha,
        test: test.map(|t| parse_test(py, t)).transpose()?,
        future: future.map(size),
    })
}

/// The plan of a reconstruction, checked by the core.
pub(crate) fn plan(
    py: Python<'_>,
    method: Option<&str>,
    max_history: Option<i64>,
    alpha: Option<f64>,
    test: Option<&str>,
    future: Option<i64>,
) -> PyResult<Plan> {
    request(py, method, max_history, alpha, test, future)?
        .plan()
        .map_err(|e| {
            let given = [("max_history", max_history), ("future", future)];
            to_py(py, quoting(e, &given))
        })
}

/// Fixed options of a reconstruction (a transducer's), checked by the core.
pub(crate) fn options(
    py: Python<'_>,
    method: &str,
    max_history: i64,
    alpha: f64,
    test: &str,
) -> PyResult<ReconstructOptions> {
    match plan(
        py,
        Some(method),
        Some(max_history),
        Some(alpha),
        Some(test),
        None,
    )? {
        Plan::Fixed(opts) => Ok(opts),
        Plan::Select(_) => unreachable!("a method is given"),
    }
}

/// Checks the options of a reconstruction before any data is read.
#[pyfunction]
#[pyo3(signature = (method, max_history, alpha, test, future))]
pub fn check_options(
    py: Python<'_>,
    method: Option<&str>,
    max_history: Option<i64>,
    alpha: Option<f64>,
    test: Option<&str>,
    future: Option<i64>,
) -> PyResult<()> {
    plan(py, method, max_history, alpha, test, future).map(|_| ())
}

/// The reconstruction methods: (name, one-line description).
#[pyfunction]
pub fn reconstruction_methods() -> Vec<(&'static str, &'static str)> {
    Method::ALL.iter().map(|(_, n, h)| (*n, *h)).collect()
}

/// The defaults of a reconstruction: max_history, alpha, test, method.
#[pyfunction]
pub fn reconstruct_defaults() -> (usize, f64, &'static str, &'static str) {
    let d = ReconstructOptions::default();
    (d.max_history, d.alpha, d.test.name(), d.method.name())
}

/// The epsilon-machine of `counts` and the diagnostics, selected when no method, alpha, test or future is given; `name` names the counts if they are
/// too short for `max_history`.
#[pyfunction]
#[pyo3(signature = (counts, method, max_history, alpha, test, future, threads, name))]
#[allow(clippy::too_many_arguments)]
pub fn reconstruct(
    py: Python<'_>,
    counts: &NativeCounts,
    method: Option<&str>,
    max_history: Option<i64>,
    alpha: Option<f64>,
    test: Option<&str>,
    future: Option<i64>,
    threads: Option<i64>,
    name: &str,
) -> PyResult<(Presentation, Diagnostics)> {
    let plan = plan(py, method, max_history, alpha, test, future)?;
    let shard = &counts.shard;
    let rec = py
        .detach(|| on_threads(threads, || shard.reconstruct(name, &plan)))
        .map_err(|m| invalid_argument(py, m))?
        .map_err(|e| io_to_py(py, e))?;
    Ok((
        Presentation { hmm: rec.machine },
        Diagnostics::from(rec.diagnostics),
    ))
}
