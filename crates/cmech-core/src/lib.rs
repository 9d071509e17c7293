//! cmech-core: computational mechanics of stochastic processes.
//!
//! The data flow, and where each step lives:
//!
//! - **Processes**: presentations ([`Hmm`], edge-emitting hidden Markov models) built, validated,
//!   read from JSON or taken from the library of [`named`](mod@named) processes (by name with
//!   text parameters, or typed: [`named::golden_mean`]`(0.5)`); seeded
//!   [`sample`]ing; minimisation to the epsilon-machine ([`Hmm::minimize`]).
//! - **Exact measures** of a presentation ([`measures`](mod@measures)): entropy rate, excess
//!   entropy, statistical complexity and the rest, each saying how it was obtained.
//! - **Counts** of words in data ([`counts`]), mergeable across shards, and **reconstruction** of
//!   the epsilon-machine from them ([`reconstruct`]): CSSR, the forward method, and the model
//!   selection that picks between them with no options.
//! - **Beliefs**: mixed-state presentations ([`mixed_state`]) and belief trajectories along data
//!   ([`belief`]).
//! - **Transducers** ([`transducer`]), **information flow** between series ([`infoflow`]) and
//!   **cellular automata** with their local fields ([`ca`]).
//!
//! This crate knows nothing of terminals, files or Python: reading data is `cmech-io`'s job, and
//! the `cmech` binary and the Python module are faces over both.
//!
//! # Examples
//!
//! The exact measures of a named process, in bits:
//!
//! ```
//! use cmech_core::{measures, named, MeasureOptions};
//!
//! let even = named("even", &[])?;
//! let m = measures(&even, &MeasureOptions::default())?;
//! assert!((m.entropy_rate.value.unwrap() - 2.0 / 3.0).abs() < 1e-12);
//! assert!((m.statistical_complexity.value.unwrap() - 0.9182958340544896).abs() < 1e-12);
//! # Ok::<(), cmech_core::CmechError>(())
//! ```
//!
//! From data back to the machine: sample the golden mean process, count its words, and let model
//! selection reconstruct the epsilon-machine with no options:
//!
//! ```
//! use cmech_core::counts::CountTable;
//! use cmech_core::named::golden_mean;
//! use cmech_core::reconstruct::{select, SelectOptions};
//!
//! let golden = golden_mean(0.5)?;
//! let symbols: Vec<u32> = golden.sample(200_000, 7)?.into_iter().map(|s| s as u32).collect();
//! let mut table = CountTable::new(2, 12)?;
//! table.add_sequence(&symbols)?;
//! let r = select(&table, golden.alphabet().to_vec(), &SelectOptions::default())?;
//! assert!(r.machine.is_isomorphic(&golden, 0.02));
//! # Ok::<(), cmech_core::CmechError>(())
//! ```
//!
//! The belief over the states of Mess3 after each symbol of a sequence:
//!
//! ```
//! use cmech_core::belief::belief_trajectory;
//! use cmech_core::named;
//!
//! let mess3 = named("mess3", &[])?;
//! let beliefs = belief_trajectory(&mess3, &[0, 1, 2, 2], None)?;
//! assert_eq!(beliefs.len(), 4 * mess3.num_states());
//! for b in beliefs.chunks(3) {
//!     assert!((b.iter().sum::<f64>() - 1.0).abs() < 1e-12);
//! }
//! # Ok::<(), cmech_core::CmechError>(())
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod belief;
pub mod ca;
pub mod counts;
mod draw;
pub(crate) mod entropy;
pub mod error;
pub mod estimate;
mod graph;
pub mod infoflow;
mod linalg;
pub mod measures;
pub mod memory;
mod minimize;
pub mod mixed_state;
pub mod named;
pub mod presentation;
pub mod random;
pub mod reconstruct;
pub mod sample;
pub mod sources;
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
