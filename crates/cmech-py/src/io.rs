//! Python data as `cmech_io` reads it: numpy integer arrays, str, bytes and token lists held as
//! the parts of data in memory ([`Memory`]), alphabet entries as [`Symbol`]s, file formats by
//! name, the promise that files may be memory-mapped, and a stream of symbols (files or data in
//! memory) opened as one [`Input`] ([`opener`]), for the functions that need the sequences
//! themselves rather than their counts.

use std::path::PathBuf;

use cmech_io::{
    Format, Input, Ints, Memory, MmapChoice, NoProgress, Part, ReadOptions, Source, Symbol,
};
use numpy::{PyArrayDescrMethods, PyReadonlyArrayDyn, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};

use crate::errors::io_to_py;

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

/// A stream of symbols from Python, as `cmech._data._stream` makes it: (paths of files, or
/// in-memory parts as [`hold`] takes them; alphabet: text for files, a list of entries for
/// memory; name in messages; source).
pub(crate) type Stream<'py> = (
    Option<Vec<PathBuf>>,
    Option<Vec<(String, Bound<'py, PyAny>)>>,
    Option<Bound<'py, PyAny>>,
    String,
    String,
);

/// How a stream is opened once the interpreter lock is released.
pub(crate) enum Opener<'a> {
    Files(Vec<Source>, ReadOptions),
    Memory(Memory<'a>),
}

impl<'a> Opener<'a> {
    pub(crate) fn open(self) -> cmech_io::Result<Input<'a>> {
        match self {
            Opener::Files(sources, read) => Input::open(&sources, &read, &NoProgress),
            Opener::Memory(m) => Input::from_memory(m, &NoProgress),
        }
    }
}

/// The opener of a stream: its files read in `format` (`None`: by their content), or its parts
/// `held` in memory; `lines`: each line a sequence.
pub(crate) fn opener<'a>(
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
                mmap: mmap(),
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
