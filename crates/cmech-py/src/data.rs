//! Counting data and reconstructing from counts: the native half of `cmech.count`,
//! `cmech.reconstruct` and `cmech.Counts`.
//!
//! Files and data in memory (numpy integer arrays, str, token lists, bytes) go through `cmech_io`
//! as the CLI's files do (same formats, alphabet inference, counting and messages, data in memory
//! by `Input::from_memory`); count shards are `cmech_io::Shard`s; option checks are the core's.
//! This module only converts Python objects and words `cmech_io`'s hints in Python's terms. The
//! interpreter lock is released while counting and reconstructing.

use std::path::PathBuf;

use cmech_core::reconstruct::{
    holdout, CountWindow, Method, Plan, ReconstructOptions, Request, Test,
};
use cmech_core::CmechError;
use cmech_io::{
    are_shards, count_sources, load_shards, merge_shards, write_shard, Format, Input, Ints, Memory,
    MmapChoice, NoProgress, Part, ReadOptions, Shard, Source, Symbol, Warning,
};
use numpy::{PyArrayDescrMethods, PyReadonlyArrayDyn, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::{PyBytes, PyList, PyString};

use crate::errors::{invalid_argument, io_to_py, warning_text};
use crate::{to_py, Presentation};

/// A count from Python: negative values are below every lower bound, so the core's checks refuse
/// them as they refuse 0 ([`quoting`] puts the value given back in the message).
fn size(n: i64) -> usize {
    n.max(0) as usize
}

/// The core's refusal of a parameter, quoting the value the user gave when [`size`] turned a
/// negative one into 0.
fn quoting(e: CmechError, given: &[(&str, Option<i64>)]) -> CmechError {
    match e {
        CmechError::OutOfRange {
            parameter,
            value,
            rule,
        } => {
            let value = given
                .iter()
                .find(|(p, v)| *p == parameter && v.is_some_and(|v| v < 0))
                .and_then(|(_, v)| v.map(|v| v.to_string()))
                .unwrap_or(value);
            CmechError::OutOfRange {
                parameter,
                value,
                rule,
            }
        }
        e => e,
    }
}

/// Runs `f` on `threads` worker threads (a pool of its own), or on rayon's global pool.
pub(crate) fn on_threads<T: Send>(
    threads: Option<i64>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, String> {
    match threads.map(size) {
        None => Ok(f()),
        Some(n) => match cmech_core::threads::check_threads(n) {
            Err(e) => Err(quoting(e, &[("threads", threads)]).to_string()),
            Ok(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map(|pool| pool.install(f))
                .map_err(|e| format!("cannot start {n} worker threads: {e}")),
        },
    }
}

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

/// What to count: words up to `window`, or what the plan of `method` and `max_history` needs;
/// checked by the core.
fn count_window(
    py: Python<'_>,
    method: Option<&str>,
    max_history: Option<i64>,
    future: Option<i64>,
    window: Option<i64>,
) -> PyResult<CountWindow> {
    let w = match window {
        Some(w) => CountWindow::Fixed(size(w)),
        None => CountWindow::For(plan(py, method, max_history, None, None, future)?),
    };
    w.validate().map_err(|e| to_py(py, e))?;
    Ok(w)
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

/// The window held-out data of `k` symbols are counted at, for training counts of `window`.
#[pyfunction]
pub fn holdout_window(k: usize, window: usize) -> usize {
    holdout::test_window(k, window)
}

/// The machine fitted on `train` and the smoothed Markov chains on the held-out `test`, as the
/// JSON of `cmech reconstruct --holdout`.
#[pyfunction]
pub fn hold_out(
    py: Python<'_>,
    machine: &Presentation,
    train: &NativeCounts,
    test: &NativeCounts,
) -> PyResult<String> {
    if train.shard.info.alphabet != test.shard.info.alphabet {
        return Err(invalid_argument(
            py,
            format!(
                "the held-out data's alphabet {{{}}} is not the training data's {{{}}}",
                test.shard.info.alphabet.join(", "),
                train.shard.info.alphabet.join(", ")
            ),
        ));
    }
    let h = py
        .detach(|| holdout::hold_out(&machine.hmm, &train.shard.table, &test.shard.table))
        .map_err(|e| to_py(py, e))?;
    serde_json::to_string(&h).map_err(|e| PyRuntimeError::new_err(e.to_string()))
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

/// Word counts with their alphabet and provenance: a count shard, in memory.
#[pyclass(module = "cmech._cmech", frozen)]
pub struct NativeCounts {
    shard: Shard,
    /// What reading the data had to say (a one-symbol alphabet, spaces as symbols).
    warnings: Vec<String>,
}

impl NativeCounts {
    fn of(shard: Shard) -> NativeCounts {
        NativeCounts {
            shard,
            warnings: Vec::new(),
        }
    }
}

#[pymethods]
impl NativeCounts {
    #[getter]
    fn alphabet(&self) -> Vec<String> {
        self.shard.info.alphabet.clone()
    }
    #[getter]
    fn window(&self) -> usize {
        self.shard.table.window()
    }
    #[getter]
    fn max_history(&self) -> Option<usize> {
        self.shard.info.max_history
    }
    #[getter]
    fn symbols(&self) -> u64 {
        self.shard.table.symbols()
    }
    #[getter]
    fn sequences(&self) -> u64 {
        self.shard.table.sequences()
    }
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// The sidecar document (docs/count-format.md) as JSON text.
    fn sidecar_json(&self) -> String {
        serde_json::to_string(&self.shard.info).expect("serialisable")
    }

    /// (code, count) of every word of `length` symbols that occurs, codes increasing.
    fn words(&self, py: Python<'_>, length: usize) -> PyResult<Vec<(u64, u64)>> {
        let w = self
            .shard
            .table
            .counts_of_length(length)
            .map_err(|e| to_py(py, e))?;
        Ok(w.iter().collect())
    }

    /// The sum of these counts and `other`'s (same alphabet and window); names are for messages.
    fn merge(
        &self,
        py: Python<'_>,
        other: &NativeCounts,
        name: String,
        other_name: String,
    ) -> PyResult<NativeCounts> {
        let parts = [
            (name, self.shard.clone()),
            (other_name, other.shard.clone()),
        ];
        let shard = py
            .detach(|| merge_shards(&parts))
            .map_err(|e| io_to_py(py, e))?;
        Ok(NativeCounts::of(shard))
    }

    /// Writes the shard and its sidecar (`path` + ".json"), never replacing them unless
    /// `overwrite`.
    fn save(&self, py: Python<'_>, path: PathBuf, overwrite: bool) -> PyResult<()> {
        let shard = &self.shard;
        py.detach(|| write_shard(&path, shard, overwrite))
            .map_err(|e| io_to_py(py, e))
    }

    /// Reads shards and adds them up.
    #[staticmethod]
    fn load(py: Python<'_>, paths: Vec<PathBuf>) -> PyResult<NativeCounts> {
        let shard = py
            .detach(|| load_shards(&paths))
            .map_err(|e| io_to_py(py, e))?;
        Ok(NativeCounts::of(shard))
    }

    /// The epsilon-machine and the diagnostics (as the JSON the core serialises), selected when
    /// no method, alpha, test or future is given; `name` names the counts if they are too short
    /// for `max_history`.
    #[pyo3(signature = (method, max_history, alpha, test, future, threads, name))]
    #[allow(clippy::too_many_arguments)]
    fn reconstruct(
        &self,
        py: Python<'_>,
        method: Option<&str>,
        max_history: Option<i64>,
        alpha: Option<f64>,
        test: Option<&str>,
        future: Option<i64>,
        threads: Option<i64>,
        name: &str,
    ) -> PyResult<(Presentation, String)> {
        let plan = plan(py, method, max_history, alpha, test, future)?;
        let shard = &self.shard;
        let rec = py
            .detach(|| on_threads(threads, || shard.reconstruct(name, &plan)))
            .map_err(|m| invalid_argument(py, m))?
            .map_err(|e| io_to_py(py, e))?;
        let diagnostics = serde_json::to_string(&rec.diagnostics)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok((Presentation { hmm: rec.machine }, diagnostics))
    }

    fn __richcmp__(&self, other: &NativeCounts, op: CompareOp) -> PyResult<bool> {
        let same = self.shard.info.alphabet == other.shard.info.alphabet
            && self.shard.table == other.shard.table;
        match op {
            CompareOp::Eq => Ok(same),
            CompareOp::Ne => Ok(!same),
            _ => Err(PyTypeError::new_err("count tables are not ordered")),
        }
    }
}

/// Whether files are count shards (all of them) or data (none); a mix is an error.
#[pyfunction]
#[pyo3(name = "are_shards")]
pub fn paths_are_shards(py: Python<'_>, paths: Vec<PathBuf>) -> PyResult<bool> {
    let sources: Vec<Source> = paths.into_iter().map(Source::Path).collect();
    are_shards(&sources).map_err(|e| io_to_py(py, e))
}

/// Runs `count` (a shard and its warnings) into `NativeCounts`, on `threads`.
fn count_input(
    py: Python<'_>,
    count: impl FnOnce() -> cmech_io::Result<(Shard, Vec<Warning>)> + Send,
    threads: Option<i64>,
) -> PyResult<NativeCounts> {
    let counted = py
        .detach(|| on_threads(threads, count))
        .map_err(|m| invalid_argument(py, m))?;
    let (shard, warnings) = counted.map_err(|e| io_to_py(py, e))?;
    Ok(NativeCounts {
        shard,
        warnings: warnings.iter().map(warning_text).collect(),
    })
}

/// Counts data files as `cmech count` does (formats, alphabet, messages of `cmech_io`).
#[pyfunction]
#[pyo3(signature = (paths, format, lines, alphabet, byte_range, method, max_history, future, window, threads))]
#[allow(clippy::too_many_arguments)]
pub fn count_files(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    format: Option<&str>,
    lines: bool,
    alphabet: Option<String>,
    byte_range: Option<(u64, u64)>,
    method: Option<&str>,
    max_history: Option<i64>,
    future: Option<i64>,
    window: Option<i64>,
    threads: Option<i64>,
) -> PyResult<NativeCounts> {
    let window = count_window(py, method, max_history, future, window)?;
    let read = ReadOptions {
        format: parse_format(py, format)?,
        lines,
        alphabet,
        range: byte_range,
        mmap: mmap(),
    };
    let sources: Vec<Source> = paths.into_iter().map(Source::Path).collect();
    count_input(
        py,
        || count_sources(&sources, &read, &window, &NoProgress),
        threads,
    )
}

/// A file format by name.
pub(crate) fn parse_format(py: Python<'_>, format: Option<&str>) -> PyResult<Option<Format>> {
    format
        .map(str::parse::<Format>)
        .transpose()
        .map_err(|e| io_to_py(py, e))
}

/// The names of the input formats, in the order the faces list them.
#[pyfunction]
pub fn input_formats() -> Vec<&'static str> {
    Format::ALL.iter().map(|f| f.name()).collect()
}

// ----- data in memory ---------------------------------------------------------------------------

/// One C-contiguous integer array borrowed from Python: 1-D, or 2-D (one sequence per row).
pub(crate) enum Borrowed<'py> {
    I8(PyReadonlyArrayDyn<'py, i8>),
    I16(PyReadonlyArrayDyn<'py, i16>),
    I32(PyReadonlyArrayDyn<'py, i32>),
    I64(PyReadonlyArrayDyn<'py, i64>),
    U8(PyReadonlyArrayDyn<'py, u8>),
    U16(PyReadonlyArrayDyn<'py, u16>),
    U32(PyReadonlyArrayDyn<'py, u32>),
    U64(PyReadonlyArrayDyn<'py, u64>),
}

impl<'py> Borrowed<'py> {
    fn new(obj: &Bound<'py, PyAny>) -> PyResult<Borrowed<'py>> {
        let expected =
            || PyTypeError::new_err("expected a numpy integer array in native byte order");
        let dtype = obj
            .cast::<PyUntypedArray>()
            .map_err(|_| expected())?
            .dtype();
        let py = obj.py();
        // Dispatch on the dtype: a failed extraction costs more than the counting of a short row.
        macro_rules! try_as {
            ($($v:ident: $t:ty),*) => {
                $(if dtype.is_equiv_to(&numpy::dtype::<$t>(py)) {
                    return Ok(Borrowed::$v(obj.extract::<PyReadonlyArrayDyn<'py, $t>>()?));
                })*
            };
        }
        try_as!(I8: i8, I16: i16, I32: i32, I64: i64, U8: u8, U16: u16, U32: u32, U64: u64);
        Err(expected())
    }

    /// The elements, as one sequence (1-D) or rows (2-D).
    fn part(&self) -> PyResult<Part<'_>> {
        macro_rules! view {
            ($a:expr, $v:ident) => {{
                let shape = $a.shape();
                let row = match shape.len() {
                    1 => None,
                    2 => Some(shape[1]),
                    n => {
                        return Err(PyTypeError::new_err(format!(
                            "expected a 1-D or 2-D array, got {n} dimensions"
                        )))
                    }
                };
                let s = $a
                    .as_slice()
                    .map_err(|_| PyTypeError::new_err("expected a C-contiguous array"))?;
                Ok(Part::Ints {
                    values: Ints::$v(s),
                    row,
                })
            }};
        }
        match self {
            Borrowed::I8(a) => view!(a, I8),
            Borrowed::I16(a) => view!(a, I16),
            Borrowed::I32(a) => view!(a, I32),
            Borrowed::I64(a) => view!(a, I64),
            Borrowed::U8(a) => view!(a, U8),
            Borrowed::U16(a) => view!(a, U16),
            Borrowed::U32(a) => view!(a, U32),
            Borrowed::U64(a) => view!(a, U64),
        }
    }
}

/// A part of the data as held while it is counted.
pub(crate) enum Held<'py> {
    Array(Borrowed<'py>),
    Bytes(Bound<'py, PyBytes>),
    Text(String),
    Tokens(Vec<String>),
}

impl Held<'_> {
    pub(crate) fn part(&self) -> PyResult<Part<'_>> {
        Ok(match self {
            Held::Array(a) => a.part()?,
            Held::Bytes(b) => Part::Bytes(b.as_bytes()),
            Held::Text(t) => Part::Text(t),
            Held::Tokens(t) => Part::Tokens(t.iter().map(String::as_str).collect()),
        })
    }
}

/// Counts data in memory through `cmech_io` (`Input::from_memory`): `parts` are (name in
/// messages, data): a str (text), bytes, a list of str (tokens) or a 1-D or 2-D numpy integer
/// array in native byte order. `alphabet` entries are str (names) or int (values); `name` names
/// the data in messages about all of it and `source` is what the sidecar records.
#[pyfunction]
#[pyo3(signature = (parts, alphabet, lines, name, source, method, max_history, future, window, threads))]
#[allow(clippy::too_many_arguments)]
pub fn count_memory<'py>(
    py: Python<'py>,
    parts: Vec<(String, Bound<'py, PyAny>)>,
    alphabet: Option<Vec<Bound<'py, PyAny>>>,
    lines: bool,
    name: String,
    source: String,
    method: Option<&str>,
    max_history: Option<i64>,
    future: Option<i64>,
    window: Option<i64>,
    threads: Option<i64>,
) -> PyResult<NativeCounts> {
    let window = count_window(py, method, max_history, future, window)?;
    let alphabet = symbols(alphabet)?;
    let held = hold(parts)?;
    let memory = memory(&held, alphabet, lines, name, source)?;
    count_input(
        py,
        || {
            let input = Input::from_memory(memory, &NoProgress)?;
            let shard = input.count_shard(&window, &NoProgress)?;
            Ok((shard, input.warnings().to_vec()))
        },
        threads,
    )
}

/// Alphabet entries from Python: str (names) or int (values).
pub(crate) fn symbols(alphabet: Option<Vec<Bound<'_, PyAny>>>) -> PyResult<Option<Vec<Symbol>>> {
    alphabet
        .map(|entries| {
            entries
                .iter()
                .map(|e| match e.cast::<PyString>() {
                    Ok(s) => Ok(Symbol::Name(s.to_string())),
                    Err(_) => e.extract::<i128>().map(Symbol::Value),
                })
                .collect::<PyResult<Vec<_>>>()
        })
        .transpose()
}

/// The parts of data in memory, held while they are read: a str (text), bytes, a list of str
/// (tokens) or a numpy integer array.
pub(crate) fn hold<'py>(
    parts: Vec<(String, Bound<'py, PyAny>)>,
) -> PyResult<Vec<(String, Held<'py>)>> {
    parts
        .into_iter()
        .map(|(label, obj)| {
            let held = if let Ok(s) = obj.cast::<PyString>() {
                Held::Text(s.to_string())
            } else if let Ok(b) = obj.cast::<PyBytes>() {
                Held::Bytes(b.clone())
            } else if obj.cast::<PyList>().is_ok() {
                Held::Tokens(obj.extract::<Vec<String>>()?)
            } else {
                Held::Array(Borrowed::new(&obj)?)
            };
            Ok((label, held))
        })
        .collect()
}

/// Held parts as data in memory for `cmech_io`.
pub(crate) fn memory<'a>(
    held: &'a [(String, Held<'_>)],
    alphabet: Option<Vec<Symbol>>,
    lines: bool,
    name: String,
    source: String,
) -> PyResult<Memory<'a>> {
    Ok(Memory {
        parts: held
            .iter()
            .map(|(label, h)| Ok((label.clone(), h.part()?)))
            .collect::<PyResult<_>>()?,
        alphabet,
        lines,
        name,
        source,
    })
}

/// Files are memory-mapped: counting 10^9 symbols in one pass needs it. Python code that
/// truncates or rewrites a file while cmech reads it gets wrong results or a bus error, the
/// promise every reader of mapped files takes.
pub(crate) fn mmap() -> MmapChoice {
    // SAFETY: as above; cmech never writes the files it reads.
    #[allow(unsafe_code)]
    unsafe {
        MmapChoice::auto()
    }
}
