//! Counting data and reconstructing from counts: the native half of `cmech.count`,
//! `cmech.reconstruct` and `cmech.Counts`.
//!
//! Files go through `cmech_io` exactly as in the CLI (same formats, alphabet inference and
//! messages); count shards are `cmech_io::Shard`s. Data already in memory (numpy arrays, and text
//! that the Python side turns into arrays of code points) are classified here and counted by
//! `CountTable::add_items`, in place where a sequence is long. The interpreter lock is released
//! while counting and reconstructing.

use std::collections::HashMap;
use std::path::PathBuf;

use cmech_core::counts::{CountTable, InvalidItem, Item};
use cmech_core::reconstruct::{reconstruct, Method, ReconstructOptions, Test};
use cmech_core::CmechError;
use cmech_io::shard::{is_shard, sidecar_path};
use cmech_io::{
    merge_shards, read_shard, write_shard, Format, Input, NoProgress, ReadOptions, Shard, Source,
    SourceInfo,
};
use numpy::{PyArrayDescrMethods, PyReadonlyArrayDyn, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;

use crate::{raise, to_py, Presentation};

/// A `cmech_io` error as the matching `cmech` exception: bad data or shards are
/// `InvalidDataError`, refusals of the operating system `CmechIOError`.
fn io_to_py(py: Python<'_>, e: cmech_io::Error) -> PyErr {
    match e {
        cmech_io::Error::Core(c) => to_py(py, c),
        cmech_io::Error::Io { .. } => raise(py, "CmechIOError", e.to_string()),
        cmech_io::Error::Input(m) => raise(py, "InvalidDataError", m),
    }
}

fn invalid_argument(py: Python<'_>, message: String) -> PyErr {
    to_py(py, CmechError::InvalidArgument(message))
}

/// Runs `f` on `threads` worker threads (a pool of its own), or on rayon's global pool.
fn on_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T, String> {
    match threads {
        None => Ok(f()),
        Some(0) => Err("threads must be at least 1".into()),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map(|pool| pool.install(f))
            .map_err(|e| format!("cannot start {n} worker threads: {e}")),
    }
}

fn parse_method(py: Python<'_>, method: &str) -> PyResult<Method> {
    method.parse::<Method>().map_err(|e| to_py(py, e))
}

fn parse_test(py: Python<'_>, test: &str) -> PyResult<Test> {
    match test {
        "chi2" => Ok(Test::ChiSquare),
        "ks" => Ok(Test::KolmogorovSmirnov),
        _ => Err(invalid_argument(
            py,
            format!("unknown test '{test}' (known: chi2, ks)"),
        )),
    }
}

/// What to count: words up to `window`, or what `method` needs at `max_history`.
struct Plan {
    opts: ReconstructOptions,
    window: Option<usize>,
}

impl Plan {
    fn new(
        py: Python<'_>,
        method: &str,
        max_history: usize,
        future: Option<usize>,
        window: Option<usize>,
    ) -> PyResult<Plan> {
        let opts = ReconstructOptions {
            method: parse_method(py, method)?,
            max_history,
            future,
            ..ReconstructOptions::default()
        };
        if window.is_none() && max_history == 0 {
            return Err(invalid_argument(
                py,
                "max_history must be at least 1 (a history of one symbol)".into(),
            ));
        }
        if window.is_some_and(|w| w < 2) {
            return Err(invalid_argument(
                py,
                "window must be at least 2 (a history and the symbol after it)".into(),
            ));
        }
        Ok(Plan { opts, window })
    }
    fn window(&self, k: usize) -> usize {
        self.window.unwrap_or_else(|| self.opts.window(k))
    }
    /// The history length recorded in the sidecar (`None` when counted for a window).
    fn max_history(&self) -> Option<usize> {
        self.window.is_none().then_some(self.opts.max_history)
    }
}

/// The word length a method needs at a history length over `k` symbols.
#[pyfunction]
#[pyo3(signature = (method, max_history, future, k))]
pub fn window_for(
    py: Python<'_>,
    method: &str,
    max_history: usize,
    future: Option<usize>,
    k: usize,
) -> PyResult<usize> {
    Ok(Plan::new(py, method, max_history, future, None)?.window(k))
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
    let test = match d.test {
        Test::ChiSquare => "chi2",
        Test::KolmogorovSmirnov => "ks",
    };
    (d.max_history, d.alpha, test, d.method.name())
}

/// Word counts with their alphabet and provenance: a count shard, in memory.
#[pyclass(module = "cmech._cmech", frozen)]
pub struct NativeCounts {
    shard: Shard,
    /// What reading files had to say (a one-symbol alphabet, spaces as symbols).
    warnings: Vec<String>,
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
        Ok(NativeCounts {
            shard,
            warnings: Vec::new(),
        })
    }

    /// Writes the shard and its sidecar (`path` + ".json").
    fn save(&self, py: Python<'_>, path: PathBuf, overwrite: bool) -> PyResult<()> {
        if !overwrite {
            for p in [path.clone(), sidecar_path(&path)] {
                if p.exists() {
                    return Err(raise(
                        py,
                        "CmechIOError",
                        format!("{} exists; pass overwrite=True to replace it", p.display()),
                    ));
                }
            }
        }
        let shard = &self.shard;
        py.detach(|| write_shard(&path, shard, overwrite))
            .map_err(|e| io_to_py(py, e))
    }

    /// Reads shards and adds them up.
    #[staticmethod]
    fn load(py: Python<'_>, paths: Vec<PathBuf>) -> PyResult<NativeCounts> {
        let shard = py
            .detach(|| {
                let shards = paths
                    .iter()
                    .map(|p| Ok((p.display().to_string(), read_shard(p)?)))
                    .collect::<cmech_io::Result<Vec<_>>>()?;
                merge_shards(&shards)
            })
            .map_err(|e| io_to_py(py, e))?;
        Ok(NativeCounts {
            shard,
            warnings: Vec::new(),
        })
    }

    /// The epsilon-machine and the diagnostics (as the JSON the core serialises).
    #[pyo3(signature = (method, max_history, alpha, test, future, threads))]
    #[allow(clippy::too_many_arguments)]
    fn reconstruct(
        &self,
        py: Python<'_>,
        method: &str,
        max_history: usize,
        alpha: f64,
        test: &str,
        future: Option<usize>,
        threads: Option<usize>,
    ) -> PyResult<(Presentation, String)> {
        let opts = ReconstructOptions {
            method: parse_method(py, method)?,
            max_history,
            alpha,
            test: parse_test(py, test)?,
            future,
        };
        let table = &self.shard.table;
        let alphabet = self.shard.info.alphabet.clone();
        let rec = py
            .detach(|| on_threads(threads, || reconstruct(table, alphabet, &opts)))
            .map_err(|m| invalid_argument(py, m))?
            .map_err(|e| to_py(py, e))?;
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

/// Whether a file starts with the count shard magic.
#[pyfunction]
pub fn path_is_shard(path: PathBuf) -> bool {
    is_shard(&path)
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
    method: &str,
    max_history: usize,
    future: Option<usize>,
    window: Option<usize>,
    threads: Option<usize>,
) -> PyResult<NativeCounts> {
    let plan = Plan::new(py, method, max_history, future, window)?;
    let format = match format {
        None => None,
        Some("chars") => Some(Format::Chars),
        Some("tokens") => Some(Format::Tokens),
        Some("bytes") => Some(Format::Bytes),
        Some("npy") => Some(Format::Npy),
        Some(f) => {
            return Err(invalid_argument(
                py,
                format!("unknown format '{f}' (known: chars, tokens, bytes, npy)"),
            ))
        }
    };
    let read = ReadOptions {
        format,
        lines,
        alphabet,
        range: byte_range,
    };
    let sources: Vec<Source> = paths.into_iter().map(Source::Path).collect();
    let counted = py
        .detach(|| {
            on_threads(threads, || -> cmech_io::Result<_> {
                let input = Input::open(&sources, &read, &NoProgress)?;
                let table = input.count(plan.window(input.alphabet().len()), &NoProgress)?;
                Ok((input, table))
            })
        })
        .map_err(|m| invalid_argument(py, m))?;
    let (input, table) = counted.map_err(|e| io_to_py(py, e))?;
    let sources = input
        .source_names()
        .into_iter()
        .map(|path| SourceInfo {
            path,
            range: input.range().map(|(a, b)| [a, b]),
            format: input.format(),
            lines: input.lines(),
        })
        .collect();
    Ok(NativeCounts {
        shard: Shard::new(
            table,
            input.alphabet().to_vec(),
            plan.max_history(),
            sources,
        ),
        warnings: input.warnings().to_vec(),
    })
}

// ----- data in memory ---------------------------------------------------------------------------

/// The integer element types of numpy arrays.
trait Int: Copy + Send + Sync + 'static {
    fn wide(self) -> i128;
}
macro_rules! int {
    ($($t:ty),*) => { $(impl Int for $t { #[inline(always)] fn wide(self) -> i128 { self as i128 } })* };
}
int!(i8, i16, i32, i64, u8, u16, u32, u64);

/// One C-contiguous integer array borrowed from Python: 1-D, or 2-D (one sequence per row).
enum Borrowed<'py> {
    I8(PyReadonlyArrayDyn<'py, i8>),
    I16(PyReadonlyArrayDyn<'py, i16>),
    I32(PyReadonlyArrayDyn<'py, i32>),
    I64(PyReadonlyArrayDyn<'py, i64>),
    U8(PyReadonlyArrayDyn<'py, u8>),
    U16(PyReadonlyArrayDyn<'py, u16>),
    U32(PyReadonlyArrayDyn<'py, u32>),
    U64(PyReadonlyArrayDyn<'py, u64>),
}

/// The elements of a borrowed array, with its row length (its length when 1-D).
#[derive(Clone, Copy)]
enum Slice<'a> {
    I8(&'a [i8]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    U64(&'a [u64]),
}

macro_rules! each_slice {
    ($s:expr, $x:ident => $body:expr) => {
        match $s {
            Slice::I8($x) => $body,
            Slice::I16($x) => $body,
            Slice::I32($x) => $body,
            Slice::I64($x) => $body,
            Slice::U8($x) => $body,
            Slice::U16($x) => $body,
            Slice::U32($x) => $body,
            Slice::U64($x) => $body,
        }
    };
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

    /// The elements and the row length.
    fn view(&self) -> PyResult<(Slice<'_>, usize)> {
        macro_rules! view {
            ($a:expr, $v:ident) => {{
                let shape = $a.shape();
                let row = match shape.len() {
                    1 => shape[0],
                    2 => shape[1],
                    n => {
                        return Err(PyTypeError::new_err(format!(
                            "expected a 1-D or 2-D array, got {n} dimensions"
                        )))
                    }
                };
                let s = $a
                    .as_slice()
                    .map_err(|_| PyTypeError::new_err("expected a C-contiguous array"))?;
                Ok((Slice::$v(s), row))
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

/// Borrows every array and views it.
fn views<'a, 'py>(borrowed: &'a [Borrowed<'py>]) -> PyResult<Vec<(Slice<'a>, usize)>> {
    borrowed.iter().map(Borrowed::view).collect()
}

/// Elements per parallel task of the scans.
const CHUNK: usize = 1 << 20;
/// Value ranges up to this wide are scanned and looked up in dense tables.
const DENSE: i128 = 1 << 24;
/// More distinct values than this is not an alphabet (as for `.npy` files).
const MAX_SYMBOLS: usize = 1 << 20;

fn min_max<T: Int>(x: &[T]) -> Option<(i128, i128)> {
    use rayon::prelude::*;
    let fold = |c: &[T]| {
        c.iter().fold((i128::MAX, i128::MIN), |(lo, hi), &v| {
            (lo.min(v.wide()), hi.max(v.wide()))
        })
    };
    if x.is_empty() {
        None
    } else if x.len() <= CHUNK {
        Some(fold(x))
    } else {
        x.par_chunks(CHUNK)
            .map(fold)
            .reduce_with(|a, b| (a.0.min(b.0), a.1.max(b.1)))
    }
}

fn mark_dense<T: Int>(x: &[T], min: i128, seen: &[std::sync::atomic::AtomicBool]) {
    use rayon::prelude::*;
    use std::sync::atomic::Ordering::Relaxed;
    let mark = |c: &[T]| {
        for &v in c {
            seen[(v.wide() - min) as usize].store(true, Relaxed);
        }
    };
    if x.len() <= CHUNK {
        mark(x)
    } else {
        x.par_chunks(CHUNK).for_each(mark);
    }
}

fn collect_sparse<T: Int>(x: &[T], into: &mut rustc_hash::FxHashSet<i128>) {
    use rayon::prelude::*;
    let parts: Vec<rustc_hash::FxHashSet<i128>> = x
        .par_chunks(CHUNK)
        .map(|c| {
            let mut s = rustc_hash::FxHashSet::default();
            for &v in c {
                s.insert(v.wide());
                if s.len() > MAX_SYMBOLS {
                    break;
                }
            }
            s
        })
        .collect();
    for p in parts {
        into.extend(p);
        if into.len() > MAX_SYMBOLS {
            return;
        }
    }
}

/// The distinct values of all the arrays, sorted; `None` when there are more than an alphabet
/// can have.
fn distinct(slices: &[(Slice<'_>, usize)]) -> Option<Vec<i128>> {
    let bounds = slices
        .iter()
        .filter_map(|(s, _)| each_slice!(*s, x => min_max(x)))
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
    let Some((min, max)) = bounds else {
        return Some(Vec::new());
    };
    let values: Vec<i128> = if max - min < DENSE {
        let seen: Vec<std::sync::atomic::AtomicBool> = (0..=(max - min))
            .map(|_| std::sync::atomic::AtomicBool::new(false))
            .collect();
        for (s, _) in slices {
            each_slice!(*s, x => mark_dense(x, min, &seen));
        }
        seen.iter()
            .enumerate()
            .filter(|(_, s)| s.load(std::sync::atomic::Ordering::Relaxed))
            .map(|(i, _)| min + i as i128)
            .collect()
    } else {
        let mut set = rustc_hash::FxHashSet::default();
        for (s, _) in slices {
            each_slice!(*s, x => collect_sparse(x, &mut set));
            if set.len() > MAX_SYMBOLS {
                return None;
            }
        }
        let mut v: Vec<i128> = set.into_iter().collect();
        v.sort_unstable();
        v
    };
    (values.len() <= MAX_SYMBOLS).then_some(values)
}

/// The distinct values of integer arrays (1-D or 2-D), sorted. The lock is released meanwhile.
#[pyfunction]
#[pyo3(signature = (arrays, threads))]
pub fn distinct_values(
    py: Python<'_>,
    arrays: Vec<Bound<'_, PyAny>>,
    threads: Option<usize>,
) -> PyResult<Option<Vec<i128>>> {
    let borrowed = arrays
        .iter()
        .map(Borrowed::new)
        .collect::<PyResult<Vec<_>>>()?;
    let slices = views(&borrowed)?;
    py.detach(|| on_threads(threads, || distinct(&slices)))
        .map_err(|m| invalid_argument(py, m))
}

/// Codes of classified values: symbols are their index; these two are not symbols.
const SKIP: u32 = u32::MAX - 1;
const SEP: u32 = u32::MAX;

/// Values to codes.
enum Lookup {
    Dense { min: i128, code: Vec<u32> },
    Sparse(HashMap<i128, u32, rustc_hash::FxBuildHasher>),
}

/// No code: the value is outside the alphabet.
const NONE: u32 = SEP - 2;

impl Lookup {
    fn new(pairs: &[(i128, u32)]) -> Lookup {
        let min = pairs.iter().map(|p| p.0).min();
        let max = pairs.iter().map(|p| p.0).max();
        match (min, max) {
            (Some(min), Some(max)) if max - min < DENSE => {
                let mut code = vec![NONE; (max - min + 1) as usize];
                for &(v, c) in pairs {
                    code[(v - min) as usize] = c;
                }
                Lookup::Dense { min, code }
            }
            _ => Lookup::Sparse(pairs.iter().copied().collect()),
        }
    }

    #[inline]
    fn get(&self, v: i128) -> u32 {
        match self {
            Lookup::Dense { min, code } => {
                let d = v - min;
                if d < 0 || d >= code.len() as i128 {
                    NONE
                } else {
                    code[d as usize]
                }
            }
            Lookup::Sparse(m) => m.get(&v).copied().unwrap_or(NONE),
        }
    }

    #[inline]
    fn item(&self, v: i128) -> Item {
        classify(self.get(v))
    }
}

#[inline]
fn classify(code: u32) -> Item {
    match code {
        SEP => Item::Separator,
        SKIP => Item::Skip,
        NONE => Item::Invalid,
        c => Item::Symbol(c),
    }
}

/// Sequences at least this long are counted where they lie; shorter ones are gathered into a
/// buffer of codes, separated, and counted a buffer at a time.
const IN_PLACE: usize = 1 << 20;
const BUFFER: usize = 1 << 24;

/// Where a value outside the alphabet was met: the array, the element (flat index), the value.
type Outside = (usize, usize, i128);

struct Counter<'t> {
    table: &'t mut CountTable,
    lookup: &'t Lookup,
    buf: Vec<u32>,
}

impl Counter<'_> {
    fn flush(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        self.table
            .add_items(&buf, 0..buf.len(), classify, &|_| {})
            .expect("codes are checked before they are buffered");
        self.buf = buf;
        self.buf.clear();
    }

    fn sequence<T: Int>(&mut self, x: &[T], which: usize, offset: usize) -> Result<(), Outside> {
        let lookup = self.lookup;
        if x.len() >= IN_PLACE {
            return self
                .table
                .add_items(x, 0..x.len(), |v: T| lookup.item(v.wide()), &|_| {})
                .map_err(|InvalidItem(i)| (which, offset + i, x[i].wide()));
        }
        for (i, &v) in x.iter().enumerate() {
            let c = lookup.get(v.wide());
            if c == NONE {
                return Err((which, offset + i, v.wide()));
            }
            self.buf.push(c);
        }
        self.buf.push(SEP);
        if self.buf.len() >= BUFFER {
            self.flush();
        }
        Ok(())
    }

    /// Counts an array: rows of `row` elements, or consecutive sequences of `lengths`.
    fn array<T: Int>(
        &mut self,
        x: &[T],
        row: usize,
        lengths: Option<&[usize]>,
        which: usize,
    ) -> Result<(), Outside> {
        if let Some(lengths) = lengths {
            let mut at = 0;
            for &n in lengths {
                self.sequence(&x[at..at + n], which, at)?;
                at += n;
            }
            return Ok(());
        }
        if row == 0 {
            return Ok(());
        }
        for (r, seq) in x.chunks(row).enumerate() {
            self.sequence(seq, which, r * row)?;
        }
        Ok(())
    }
}

/// Counts integer arrays (1-D: one sequence, or consecutive sequences of `lengths[i]` elements;
/// 2-D: one per row) whose values map to symbols:
/// `values[i]` is symbol `i` (named `names[i]`); `skip` values are not symbols, `separators` end a
/// sequence. Returns the counts, or where a value outside the alphabet was met
/// (array, flat element index, value).
#[pyfunction]
#[pyo3(signature = (arrays, lengths, values, names, skip, separators, source, format, lines, method, max_history, future, window, threads))]
#[allow(clippy::too_many_arguments)]
pub fn count_arrays(
    py: Python<'_>,
    arrays: Vec<Bound<'_, PyAny>>,
    lengths: Vec<Option<Vec<usize>>>,
    values: Vec<i128>,
    names: Vec<String>,
    skip: Vec<i128>,
    separators: Vec<i128>,
    source: String,
    format: &str,
    lines: bool,
    method: &str,
    max_history: usize,
    future: Option<usize>,
    window: Option<usize>,
    threads: Option<usize>,
) -> PyResult<(Option<NativeCounts>, Option<Outside>)> {
    let plan = Plan::new(py, method, max_history, future, window)?;
    if values.len() != names.len() {
        return Err(invalid_argument(
            py,
            format!("{} values for {} names", values.len(), names.len()),
        ));
    }
    let format = match format {
        "chars" => Format::Chars,
        "tokens" => Format::Tokens,
        "bytes" => Format::Bytes,
        _ => Format::Npy,
    };
    let mut table =
        CountTable::new(names.len(), plan.window(names.len())).map_err(|e| to_py(py, e))?;
    let borrowed = arrays
        .iter()
        .map(Borrowed::new)
        .collect::<PyResult<Vec<_>>>()?;
    let slices = views(&borrowed)?;
    if lengths.len() != slices.len() {
        return Err(invalid_argument(
            py,
            format!("{} lengths for {} arrays", lengths.len(), slices.len()),
        ));
    }
    for (l, (s, _)) in lengths.iter().zip(&slices) {
        let n = each_slice!(*s, x => x.len());
        if l.as_ref().is_some_and(|l| l.iter().sum::<usize>() != n) {
            return Err(invalid_argument(
                py,
                format!("sequence lengths do not add up to the {n} elements of their array"),
            ));
        }
    }
    let pairs: Vec<(i128, u32)> = (values.iter().enumerate().map(|(i, &v)| (v, i as u32)))
        .chain(skip.iter().map(|&v| (v, SKIP)))
        .chain(separators.iter().map(|&v| (v, SEP)))
        .collect();
    let outside = py
        .detach(|| {
            on_threads(threads, || {
                let lookup = Lookup::new(&pairs);
                let mut counter = Counter {
                    table: &mut table,
                    lookup: &lookup,
                    buf: Vec::new(),
                };
                for (which, ((s, row), lengths)) in slices.iter().zip(&lengths).enumerate() {
                    each_slice!(*s, x => counter.array(x, *row, lengths.as_deref(), which))?;
                }
                counter.flush();
                Ok(())
            })
        })
        .map_err(|m| invalid_argument(py, m))?;
    if let Err(o) = outside {
        return Ok((None, Some(o)));
    }
    let sources = vec![SourceInfo {
        path: source,
        range: None,
        format,
        lines,
    }];
    Ok((
        Some(NativeCounts {
            shard: Shard::new(table, names, plan.max_history(), sources),
            warnings: Vec::new(),
        }),
        None,
    ))
}
