//! Errors of the core library. Every message names the offending item so the faces can show it as is.

use thiserror::Error;

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
    #[error("unknown process '{name}' (known: {known})")]
    UnknownProcess { name: String, known: String },
    #[error("invalid parameter for {process}: {message}")]
    InvalidParameter { process: String, message: String },
    /// The computation needs a property the presentation lacks (unifilarity, a unique recurrent class).
    #[error("{0}")]
    Unsupported(String),
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

pub type Result<T> = std::result::Result<T, CmechError>;

pub(crate) fn invalid(msg: impl Into<String>) -> CmechError {
    CmechError::InvalidPresentation(msg.into())
}
