//! What a measure is reported as: a [`Quantity`] (a value in bits) or an [`Order`] (a number of
//! symbols), each with a [`Status`] saying how far it can be trusted and the method, in words,
//! that gave it.

use serde::{Deserialize, Serialize};

/// How far a value can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Closed form or exact linear algebra on a finite presentation (to floating-point accuracy).
    Exact,
    /// The limit of a sequence evaluated to a finite depth; see `depth`, `last_change`, `bounds`.
    Approached,
    /// The quantity diverges (or the order is infinite).
    Infinite,
    /// Could not be determined with the methods and limits in force; `method` says why.
    Unknown,
}

/// A real-valued measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    /// Bits; None when infinite or unknown.
    pub value: Option<f64>,
    /// How far the value can be trusted.
    pub status: Status,
    /// How the value was obtained, in words.
    pub method: String,
    /// Lower and upper bounds known to contain the true value (approached values).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounds: Option<[f64; 2]>,
    /// The word length (depth) the approach reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depth: Option<usize>,
    /// Size of the last step of the approach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_change: Option<f64>,
}

/// An order (Markov or cryptic): a whole number of symbols, or infinite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// None when infinite or unknown.
    pub value: Option<usize>,
    /// How far the value can be trusted.
    pub status: Status,
    /// How the order was found, or why it could not be, in words.
    pub method: String,
}

impl Quantity {
    pub(crate) fn exact(value: f64, method: impl Into<String>) -> Quantity {
        Quantity {
            value: Some(value),
            status: Status::Exact,
            method: method.into(),
            bounds: None,
            depth: None,
            last_change: None,
        }
    }

    pub(crate) fn approached(
        value: f64,
        depth: usize,
        last_change: f64,
        method: impl Into<String>,
    ) -> Quantity {
        Quantity {
            value: Some(value),
            status: Status::Approached,
            method: method.into(),
            bounds: None,
            depth: Some(depth),
            last_change: Some(last_change),
        }
    }

    pub(crate) fn without_value(status: Status, method: impl Into<String>) -> Quantity {
        Quantity {
            value: None,
            status,
            method: method.into(),
            bounds: None,
            depth: None,
            last_change: None,
        }
    }
}

impl Order {
    pub(super) fn new(value: Option<usize>, status: Status, method: impl Into<String>) -> Order {
        Order {
            value,
            status,
            method: method.into(),
        }
    }
}
