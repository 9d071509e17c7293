//! Word counts: the native half of `cmech.count` and `cmech.Counts`, a count shard of `cmech_io`
//! over the core's `CountTable`.
//!
//! Files and data in memory (numpy integer arrays, str, token lists, bytes) go through `cmech_io`
//! as the CLI's files do (same formats, alphabet inference, counting and messages, data in memory
//! by `Input::from_memory`); count shards are `cmech_io::Shard`s; option checks are the core's.
//! This module only converts Python objects and words `cmech_io`'s hints in Python's terms. The
//! interpreter lock is released while counting, merging, saving and loading.

use std::path::PathBuf;

use cmech_core::reconstruct::CountWindow;
use cmech_io::{
    are_shards, count_sources, load_shards, merge_shards, write_shard, Input, NoProgress,
    ReadOptions, Shard, Source, Warning,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;

use crate::document::document;
use crate::errors::{invalid_argument, io_to_py, size, to_py, warning_text};
use crate::io::{hold, memory, mmap, parse_format, symbols};
use crate::reconstruct::plan;
use crate::threads::on_threads;

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

/// Word counts with their alphabet and provenance: a count shard, in memory.
#[pyclass(module = "cmech._cmech", frozen)]
pub struct NativeCounts {
    pub(crate) shard: Shard,
    /// What reading the data had to say (a one-symbol alphabet, spaces as symbols, bytes of a
    /// file between the ranges of merged shards).
    warnings: Vec<String>,
}

impl NativeCounts {
    /// Counts read or merged from shards, with what their sources leave out.
    fn of(shard: Shard) -> NativeCounts {
        let warnings = shard.info.gaps().iter().map(warning_text).collect();
        NativeCounts { shard, warnings }
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

    /// The sidecar document (docs/count-format.md), as its JSON file holds it.
    fn sidecar<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document(py, &self.shard.info)
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
