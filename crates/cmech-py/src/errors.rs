//! Errors as Python exceptions. The classes live in `cmech._errors` (Python: several derive from
//! both `CmechError` and `ValueError`, which a class made in Rust cannot); which class each error
//! of the core and of io becomes is decided here, by exhaustive matches, so that a new kind of
//! error does not compile until it is mapped. [`error_classes`] lists the classes so the tests
//! check that each exists in `cmech._errors`. The core's refusal of a parameter quotes the value
//! the user gave ([`size`], [`quoting`]).

use cmech_core::CmechError;
use cmech_io::{Hint, Warning};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The exception classes of `cmech._errors`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    InvalidPresentation,
    InvalidJson,
    UnknownProcess,
    InvalidParameter,
    Unsupported,
    InvalidArgument,
    InvalidData,
    TooLarge,
    Io,
}

impl Class {
    const ALL: [Class; 9] = [
        Class::InvalidPresentation,
        Class::InvalidJson,
        Class::UnknownProcess,
        Class::InvalidParameter,
        Class::Unsupported,
        Class::InvalidArgument,
        Class::InvalidData,
        Class::TooLarge,
        Class::Io,
    ];

    /// The class's name in `cmech._errors`.
    fn name(self) -> &'static str {
        match self {
            Class::InvalidPresentation => "InvalidPresentationError",
            Class::InvalidJson => "InvalidJsonError",
            Class::UnknownProcess => "UnknownProcessError",
            Class::InvalidParameter => "InvalidParameterError",
            Class::Unsupported => "UnsupportedError",
            Class::InvalidArgument => "InvalidArgumentError",
            Class::InvalidData => "InvalidDataError",
            Class::TooLarge => "TooLargeError",
            Class::Io => "CmechIOError",
        }
    }

    /// The class of a core error.
    fn of(e: &CmechError) -> Class {
        match e {
            CmechError::InvalidPresentation(_) | CmechError::InvalidTransducer(_) => {
                Class::InvalidPresentation
            }
            CmechError::Json(_) => Class::InvalidJson,
            CmechError::UnknownProcess { .. } => Class::UnknownProcess,
            CmechError::InvalidParameter { .. } => Class::InvalidParameter,
            CmechError::Unsupported(_) => Class::Unsupported,
            CmechError::InvalidArgument(_) | CmechError::OutOfRange { .. } => {
                Class::InvalidArgument
            }
            CmechError::TooLarge(_) => Class::TooLarge,
            CmechError::Io(_) => Class::Io,
        }
    }
}

/// The names of every exception class the native module raises, for the tests.
#[pyfunction]
pub fn error_classes() -> Vec<&'static str> {
    Class::ALL.iter().map(|c| c.name()).collect()
}

/// Panics with `message`: how the tests check that a panic reaches Python as a `CmechError`
/// (`cmech._native` converts it), never as pyo3's `PanicException`.
#[pyfunction(name = "_panic")]
pub fn panic_for_tests(message: &str) {
    panic!("{message}")
}

/// Converts a core error into the matching `cmech` exception, message unchanged.
pub(crate) fn to_py(py: Python<'_>, e: CmechError) -> PyErr {
    raise(py, Class::of(&e), e.to_string())
}

/// The exception `class` of `cmech._errors` with `message`.
pub(crate) fn raise(py: Python<'_>, class: Class, message: String) -> PyErr {
    let raised = py
        .import("cmech._errors")
        .and_then(|m| m.getattr(class.name()))
        .and_then(|cls| cls.call1((message.clone(),)));
    match raised {
        Ok(exc) => PyErr::from_value(exc),
        // Only when the native module is imported outside its package.
        Err(_) => PyValueError::new_err(message),
    }
}

/// What to do about a problem or warning of `cmech_io`, in terms of the Python functions.
fn hint_text(hint: Hint) -> String {
    match hint {
        Hint::Overwrite => "pass overwrite=True to replace it".into(),
        Hint::SameAlphabet => "count every part with the same alphabet".into(),
        Hint::SameWindow => "count every part with the same max_history or window".into(),
        Hint::CountAgain {
            max_history,
            window,
        } => format!("count again with max_history={max_history} (or window={window})"),
        Hint::Lines => "leave out lines=True".into(),
        Hint::Range => "leave out byte_range".into(),
        Hint::Tokens => "for symbols separated by spaces pass format=\"tokens\"".into(),
        Hint::TokensOrBytes => {
            "pass format=\"tokens\" (symbols separated by spaces) or format=\"bytes\"".into()
        }
        Hint::TokenList => {
            "for symbols separated by spaces pass the tokens as a list, e.g. text.split()".into()
        }
    }
}

pub(crate) fn warning_text(w: &Warning) -> String {
    match w.hint {
        Some(h) => format!("{w}; {}", hint_text(h)),
        None => w.message.clone(),
    }
}

/// A `cmech_io` error as the matching `cmech` exception, its hint in Python's terms: bad data or
/// shards are `InvalidDataError`, refusals of the operating system and files that exist
/// `CmechIOError`, counts too short for the arguments `InvalidArgumentError`.
pub(crate) fn io_to_py(py: Python<'_>, e: cmech_io::Error) -> PyErr {
    let message = match e.hint() {
        Some(h) => format!("{e}; {}", hint_text(h)),
        None => e.to_string(),
    };
    match e {
        cmech_io::Error::Core(c) => to_py(py, c),
        cmech_io::Error::Io { .. }
        | cmech_io::Error::Hinted {
            hint: Hint::Overwrite,
            ..
        } => raise(py, Class::Io, message),
        cmech_io::Error::Hinted {
            hint: Hint::CountAgain { .. },
            ..
        } => invalid_argument(py, message),
        cmech_io::Error::Input(_) | cmech_io::Error::Hinted { .. } => {
            raise(py, Class::InvalidData, message)
        }
    }
}

pub(crate) fn invalid_argument(py: Python<'_>, message: String) -> PyErr {
    to_py(py, CmechError::InvalidArgument(message))
}

/// A core error as a Python exception: `result.py(py)?`.
pub(crate) trait IntoPyResult<T> {
    fn py(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, CmechError> {
    fn py(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}

/// An invalid argument, for the core's messages about what a caller passed.
pub(crate) fn bad(msg: impl Into<String>) -> CmechError {
    CmechError::InvalidArgument(msg.into())
}

/// A count from Python: negative values are below every lower bound, so the core's checks refuse
/// them as they refuse 0 ([`quoting`] puts the value given back in the message).
pub(crate) fn size(n: i64) -> usize {
    n.max(0) as usize
}

/// The core's refusal of a parameter, quoting the value the user gave when [`size`] turned a
/// negative one into 0.
pub(crate) fn quoting(e: CmechError, given: &[(&str, Option<i64>)]) -> CmechError {
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
