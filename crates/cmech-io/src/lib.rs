//! cmech-io: symbol data in, count tables out, and count shards on disk.
//!
//! An [`Input`] opens one or more sources (files, or stdin) in one of four [`Format`]s, fixes their
//! alphabet (given, or inferred by a fast first pass), and counts them into a
//! [`CountTable`](cmech_core::counts::CountTable) of any window. Files are memory-mapped and
//! counted in place (one byte per symbol, or `.npy` integers classified where they lie); tokens and
//! streamed stdin go through bounded blocks. No source is ever held whole as a vector of symbols.
//!
//! [`shard`] writes and reads count tables as shard files with a JSON sidecar, so counting can be
//! spread over byte ranges, files and machines and merged afterwards.
//!
//! Data already in memory (integer arrays, byte buffers, text, tokens) opens as an [`Input`] too,
//! with [`Input::from_memory`] and the types of [`memory`], and is read through the same code.
//!
//! Readers that need the symbols themselves decode sources the same way: [`Input::sequences`]
//! and [`Input::series`] (a series for the information-flow measures), [`read_grids`] (many
//! variables over time, or a cellular automaton's field) and [`read_cells`] (a cellular
//! automaton's initial cells). No face keeps a reader of its own.
//!
//! [`npy_write`] writes `.npy` arrays, streamed, for results that numpy reads.
//!
//! ```
//! use cmech_io::{Input, Memory, NoProgress, Part};
//!
//! // A text in memory, read as a file of it would be: one character per symbol.
//! let data = Memory {
//!     parts: vec![("data".into(), Part::Text("abaababaab"))],
//!     alphabet: None,
//!     lines: false,
//!     name: "data".into(),
//!     source: "<str>".into(),
//! };
//! let input = Input::from_memory(data, &NoProgress)?;
//! assert_eq!(input.alphabet(), ["a", "b"]);
//! let table = input.count(3, &NoProgress)?;
//! assert_eq!(table.symbols(), 10);
//! // Words of two symbols: ab, ba, aa, ab, ba, ab, ba, aa, ab.
//! let pairs = table.counts_of_length(2)?;
//! assert_eq!(pairs.total(), 9);
//! assert_eq!(pairs.get(0b00), 2); // "aa"
//! # Ok::<(), cmech_io::Error>(())
//! ```
//!
//! This crate has no terminal code: progress is reported through the [`Progress`] trait. Its
//! messages name no flag or argument of a face; a [`Hint`] on an error or [`Warning`] says what the
//! caller could do, for each face to word in its own terms.

#![warn(missing_docs)]

mod bytes;
mod error;
mod grid;
mod input;
pub mod memory;
mod npy;
pub mod npy_write;
mod output;
mod paired;
mod sequences;
pub mod shard;
mod stream;
mod tokens;

pub use error::{Error, Hint, Result, Warning};
pub use grid::{read_cells, read_grids, Cells, Grid};
pub use input::{
    count_held_out, count_sources, parse_range, Format, Input, MmapChoice, ReadOptions, Source,
};
pub use memory::{Ints, Memory, Part, Symbol};
pub use npy_write::{NpyType, NpyWriter};
pub use output::{check_text_output, symbol_separator, OutputFile};
pub use paired::count_paired;
pub use shard::{
    are_shards, load_shards, merge_shards, read_shard, write_shard, Shard, ShardInfo, SourceInfo,
};

/// Receives progress reports from long passes over the data. Every method has a no-op default.
pub trait Progress: Sync {
    /// A pass begins: `what` names it ("scanning", "counting"), `total` is its length in `unit`s.
    fn begin(&self, _what: &str, _total: u64, _unit: &str) {}
    /// `n` more units of the current pass are done.
    fn advance(&self, _n: u64) {}
    /// The current pass is over.
    fn end(&self) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;
impl Progress for NoProgress {}
