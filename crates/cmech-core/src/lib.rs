//! cmech-core: computational mechanics of stochastic processes.
//!
//! Presentations ([`Hmm`]) of processes, the library of [`named`](mod@named) processes, seeded [`sample`]ing,
//! minimisation to the epsilon-machine, [`mixed_state`] presentations, and exact [`measures`](mod@measures).
//! This crate knows nothing of terminals, files or Python: the `cmech` binary and the Python module
//! are faces over it.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod belief;
pub mod ca;
pub mod counts;
pub mod error;
mod graph;
pub mod info;
pub mod infoflow;
mod linalg;
pub mod maps;
pub mod measures;
mod minimize;
pub mod mixed_state;
pub mod named;
pub mod presentation;
pub mod random;
pub mod reconstruct;
pub mod sample;
mod stationary;
pub mod threads;
pub mod transducer;

pub use error::{CmechError, Result};
pub use measures::{measures, MeasureOptions, Measures};
pub use minimize::MAX_DETERMINIZED_STATES;
pub use named::{named, PROCESSES};
pub use presentation::Hmm;
pub use sample::{Sampler, Start};
pub use stationary::DENSE_STATIONARY_STATES;
pub use transducer::Transducer;
