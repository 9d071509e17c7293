//! The reconstruction of transducers (`cmech_core::reconstruct::reconstruct_transducer`) from
//! paired streams, read by `cmech_io` as the CLI reads them (files, or data in memory through
//! `Input::from_memory`) and paired by `cmech_io::count_paired`: the native half of
//! `cmech.reconstruct_transducer`. The interpreter lock is released while counting and
//! reconstructing.

use cmech_core::reconstruct::{reconstruct_transducer as reconstruct, Method};
use cmech_io::count_paired;
use pyo3::prelude::*;

use super::diagnostics::Diagnostics;
use super::options;
use crate::errors::{invalid_argument, io_to_py, warning_text};
use crate::io::{hold, opener, parse_format, Stream};
use crate::threads::on_threads;
use crate::transducer::NativeTransducer;

/// Reconstructs the epsilon-transducer of paired streams: (transducer, diagnostics,
/// warnings of reading the data).
#[pyfunction]
#[pyo3(signature = (inputs, outputs, format, lines, max_history, alpha, test, threads))]
#[allow(clippy::too_many_arguments)]
pub fn reconstruct_transducer<'py>(
    py: Python<'py>,
    inputs: Stream<'py>,
    outputs: Stream<'py>,
    format: Option<&str>,
    lines: bool,
    max_history: i64,
    alpha: f64,
    test: &str,
    threads: Option<i64>,
) -> PyResult<(NativeTransducer, Diagnostics, Vec<String>)> {
    let opts = options(py, Method::Cssr.name(), max_history, alpha, test)?;
    let format = parse_format(py, format)?;
    let (xp, xparts, xa, xname, xsource) = inputs;
    let (yp, yparts, ya, yname, ysource) = outputs;
    let held_x = xparts.map(hold).transpose()?;
    let held_y = yparts.map(hold).transpose()?;
    let ox = opener(xp, held_x.as_deref(), xa, format, lines, xname, xsource)?;
    let oy = opener(yp, held_y.as_deref(), ya, format, lines, yname, ysource)?;
    let done = py
        .detach(|| {
            on_threads(threads, || -> cmech_io::Result<_> {
                let (x, y) = (ox.open()?, oy.open()?);
                let joint = x.alphabet().len() * y.alphabet().len();
                let table = count_paired(&x, &y, opts.window(joint))?;
                let warnings = x
                    .warnings()
                    .iter()
                    .chain(y.warnings())
                    .map(warning_text)
                    .collect::<Vec<_>>();
                let rec = reconstruct(&table, x.alphabet().to_vec(), y.alphabet().to_vec(), &opts)?;
                Ok((rec, warnings))
            })
        })
        .map_err(|m| invalid_argument(py, m))?;
    let (rec, warnings) = done.map_err(|e| io_to_py(py, e))?;
    Ok((
        NativeTransducer { t: rec.transducer },
        Diagnostics::from(rec.diagnostics),
        warnings,
    ))
}
