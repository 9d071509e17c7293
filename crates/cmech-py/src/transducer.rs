//! The native half of `cmech.Transducer`, `cmech.transducers` and `cmech.reconstruct_transducer`.
//!
//! Paired streams are read by `cmech_io` as the CLI reads them (files, or data in memory through
//! `Input::from_memory`), paired by `cmech_io::count_paired` and reconstructed by the core. The
//! interpreter lock is released while driving, measuring, counting and reconstructing.

use std::path::PathBuf;

use cmech_core::measures::MeasureOptions;
use cmech_core::reconstruct::{reconstruct_transducer as reconstruct, Method};
use cmech_core::transducer::{named_transducer, TRANSDUCERS};
use cmech_core::Transducer;
use cmech_io::{count_paired, Format, Input, Memory, NoProgress, ReadOptions, Source};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::data::{hold, memory, on_threads, options, parse_format, symbols, Held};
use crate::errors::{invalid_argument, io_to_py, warning_text};
use crate::{catalogue_entry, IntoPyResult, Presentation};

/// A transducer (the native object behind `cmech.Transducer`).
#[pyclass(module = "cmech._cmech", frozen)]
pub struct NativeTransducer {
    t: Transducer,
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

/// One stream of a pair from Python: (paths of files, or in-memory parts as `count_memory` takes
/// them; alphabet: text for files, a list of entries for memory; name in messages; source).
type Stream<'py> = (
    Option<Vec<PathBuf>>,
    Option<Vec<(String, Bound<'py, PyAny>)>>,
    Option<Bound<'py, PyAny>>,
    String,
    String,
);

/// How a stream is opened once the interpreter lock is released.
enum Opener<'a> {
    Files(Vec<Source>, ReadOptions),
    Memory(Memory<'a>),
}

impl<'a> Opener<'a> {
    fn open(self) -> cmech_io::Result<Input<'a>> {
        match self {
            Opener::Files(sources, read) => Input::open(&sources, &read, &NoProgress),
            Opener::Memory(m) => Input::from_memory(m, &NoProgress),
        }
    }
}

fn opener<'a>(
    paths: Option<Vec<PathBuf>>,
    held: Option<&'a [(String, Held<'_>)]>,
    alphabet: Option<Bound<'_, PyAny>>,
    format: Option<Format>,
    lines: bool,
    name: String,
    source: String,
) -> PyResult<Opener<'a>> {
    match (paths, held) {
        (Some(paths), _) => Ok(Opener::Files(
            paths.into_iter().map(Source::Path).collect(),
            ReadOptions {
                format,
                lines,
                alphabet: alphabet.map(|a| a.extract::<String>()).transpose()?,
                range: None,
                mmap: crate::data::mmap(),
            },
        )),
        (None, Some(held)) => {
            let entries = alphabet
                .map(|a| a.extract::<Vec<Bound<'_, PyAny>>>())
                .transpose()?;
            Ok(Opener::Memory(memory(
                held,
                symbols(entries)?,
                lines,
                name,
                source,
            )?))
        }
        (None, None) => Err(PyTypeError::new_err("a stream is either files or data")),
    }
}

/// Reconstructs the epsilon-transducer of paired streams: (transducer, diagnostics JSON,
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
) -> PyResult<(NativeTransducer, String, Vec<String>)> {
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
    let diagnostics = serde_json::to_string(&rec.diagnostics)
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    Ok((
        NativeTransducer { t: rec.transducer },
        diagnostics,
        warnings,
    ))
}
