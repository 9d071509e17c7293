//! Errors of the core library. Every message names the offending item so the faces can show it as is.

use thiserror::Error;

/// Why a computation of the core library failed.
#[derive(Debug, Error)]
pub enum CmechError {
    /// A presentation that breaks a rule of edge-emitting HMMs (bad probability, unknown name, ...).
    #[error("invalid presentation: {0}")]
    InvalidPresentation(String),
    /// A document that is not a presentation in the cmech JSON format.
    #[error("invalid presentation JSON: {0}")]
    Json(String),
    /// A transducer, or a transducer JSON document, that breaks a rule of transducers.
    #[error("invalid transducer: {0}")]
    InvalidTransducer(String),
    /// No named process has this name.
    #[error("unknown process '{name}' (known: {known})")]
    UnknownProcess {
        /// The name asked for.
        name: String,
        /// The names of every named process, comma-separated.
        known: String,
    },
    /// A parameter of a named process or transducer that it does not have, or a value that it does
    /// not allow.
    #[error("invalid parameter for {process}: {message}")]
    InvalidParameter {
        /// The process or transducer whose parameter it is.
        process: String,
        /// What is wrong, naming the parameter.
        message: String,
    },
    /// The computation needs a property the presentation lacks (unifilarity, a unique recurrent class).
    #[error("{0}")]
    Unsupported(String),
    /// A parameter outside its range. `parameter` is the library's name for it (`k`,
    /// `max_history`, `alpha`, `threads`, ...) and `rule` what it must be ("at least 1", "in (0,
    /// 1)"): each face names the parameter in its own terms (a flag, a keyword argument), as io's
    /// hints are worded by each face.
    #[error("{parameter} must be {rule}, not {value}")]
    OutOfRange {
        /// The parameter's name in the library.
        parameter: &'static str,
        /// The value given, as text.
        value: String,
        /// What the parameter must be.
        rule: &'static str,
    },
    /// An argument outside what the computation accepts (an empty alphabet, a window too long for
    /// 64-bit codes, a history too long for the data, an unknown method or transducer).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The computation would hold more than it can allocate or more than its stated bound; the
    /// message names the size and, where there is one, the bound and what makes it smaller.
    #[error("{0}")]
    TooLarge(String),
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A result whose error is a [`CmechError`].
pub type Result<T> = std::result::Result<T, CmechError>;

pub(crate) fn invalid(msg: impl Into<String>) -> CmechError {
    CmechError::InvalidPresentation(msg.into())
}

/// `value` of `parameter` if it is at least 1.
pub(crate) fn at_least_one(parameter: &'static str, value: usize) -> Result<usize> {
    if value >= 1 {
        Ok(value)
    } else {
        Err(CmechError::OutOfRange {
            parameter,
            value: value.to_string(),
            rule: "at least 1",
        })
    }
}
