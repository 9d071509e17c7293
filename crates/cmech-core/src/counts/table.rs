//! The count table: the words of the full window and the suffixes that sequences end with, from
//! which the counts of every shorter length follow exactly, and which merge by addition.

use serde::{Deserialize, Serialize};

use super::words::WordCounts;
use crate::error::{CmechError, Result};

/// The suffixes cut short by a sequence's end are one per sequence and length, so their counts
/// stay dense only while small: every counting thread holds a table of each length.
const MAX_DENSE_ENDS: u64 = 1 << 12;

/// Counts of all words up to a window length over one or more sequences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountTable {
    pub(super) alphabet_size: usize,
    pub(super) window: usize,
    pub(super) full: WordCounts,
    /// `ends[j - 1]` counts the suffixes of length `j` (1 <= j < window) of the sequences.
    pub(super) ends: Vec<WordCounts>,
    pub(super) sequences: u64,
    pub(super) symbols: u64,
}

impl CountTable {
    /// An empty table for words of up to `window` symbols over `alphabet_size` symbols.
    pub fn new(alphabet_size: usize, window: usize) -> Result<CountTable> {
        if alphabet_size == 0 {
            return Err(CmechError::InvalidArgument("the alphabet is empty".into()));
        }
        if window == 0 {
            return Err(CmechError::InvalidArgument(
                "the window length must be at least 1".into(),
            ));
        }
        if (alphabet_size as f64).log2() * window as f64 > 63.0 {
            return Err(CmechError::InvalidArgument(format!(
                "words of {window} symbols over {alphabet_size} symbols do not fit in 64-bit codes \
                 (k^m must be at most 2^63); use a shorter history"
            )));
        }
        let k = alphabet_size as u64;
        Ok(CountTable {
            alphabet_size,
            window,
            full: WordCounts::empty(k.checked_pow(window as u32)),
            ends: (1..window)
                .map(|j| WordCounts::dense_up_to(k.checked_pow(j as u32), MAX_DENSE_ENDS))
                .collect(),
            sequences: 0,
            symbols: 0,
        })
    }

    /// A table from its parts (as read back from a shard), checked for consistency.
    pub fn from_parts(
        alphabet_size: usize,
        window: usize,
        full: Vec<(u64, u64)>,
        ends: Vec<Vec<(u64, u64)>>,
        sequences: u64,
        symbols: u64,
    ) -> Result<CountTable> {
        let mut t = CountTable::new(alphabet_size, window)?;
        if ends.len() != window - 1 {
            return Err(CmechError::InvalidArgument(format!(
                "a table of window {window} needs {} suffix lengths, found {}",
                window - 1,
                ends.len()
            )));
        }
        let k = alphabet_size as u64;
        let check = |len: usize, code: u64| -> Result<()> {
            match k.checked_pow(len as u32) {
                Some(w) if code >= w => Err(CmechError::InvalidArgument(format!(
                    "word code {code} is out of range for words of length {len}"
                ))),
                _ => Ok(()),
            }
        };
        for (code, c) in full {
            check(window, code)?;
            t.full.add(code, c);
        }
        for (j, words) in ends.into_iter().enumerate() {
            for (code, c) in words {
                check(j + 1, code)?;
                t.ends[j].add(code, c);
            }
        }
        // Every symbol starts one full window or one suffix; every sequence ends in one suffix of
        // each length it reaches.
        let starts = t.full.total() + t.ends.iter().map(|e| e.total()).sum::<u64>();
        if starts != symbols || t.ends.first().is_some_and(|e| e.total() != sequences) {
            return Err(CmechError::InvalidArgument(format!(
                "inconsistent counts: {symbols} symbols and {sequences} sequences declared, \
                 but the words account for {starts} symbols"
            )));
        }
        t.sequences = sequences;
        t.symbols = symbols;
        Ok(t)
    }

    /// The number of symbols `k`: words are coded in base `k`.
    pub fn alphabet_size(&self) -> usize {
        self.alphabet_size
    }
    /// The longest word counted, `m` (for a reconstruction, the history length L plus one).
    pub fn window(&self) -> usize {
        self.window
    }
    /// Sequences counted (those with at least one symbol).
    pub fn sequences(&self) -> u64 {
        self.sequences
    }
    /// Symbols counted, over all sequences.
    pub fn symbols(&self) -> u64 {
        self.symbols
    }
    /// Counts of the full-length words.
    pub fn full_words(&self) -> &WordCounts {
        &self.full
    }
    /// Counts of the sequences' suffixes of length `1..window`, shortest first.
    pub fn end_words(&self) -> &[WordCounts] {
        &self.ends
    }

    pub(super) fn empty_like(&self) -> CountTable {
        CountTable::new(self.alphabet_size, self.window).expect("checked when self was made")
    }

    pub(super) fn absorb(&mut self, other: &CountTable) {
        self.full.absorb(&other.full);
        for (a, b) in self.ends.iter_mut().zip(&other.ends) {
            a.absorb(b);
        }
        self.sequences += other.sequences;
        self.symbols += other.symbols;
    }

    /// Adds another table's counts: the result is the table of all their sequences together.
    pub fn merge(&mut self, other: &CountTable) -> Result<()> {
        if other.alphabet_size != self.alphabet_size || other.window != self.window {
            return Err(CmechError::InvalidArgument(format!(
                "cannot merge a table of {} symbols and window {} into one of {} symbols and window {}",
                other.alphabet_size, other.window, self.alphabet_size, self.window
            )));
        }
        self.absorb(other);
        Ok(())
    }

    /// The code of a word (first symbol most significant).
    pub fn encode(&self, word: &[u32]) -> u64 {
        word.iter()
            .fold(0u64, |c, &x| c * self.alphabet_size as u64 + x as u64)
    }

    /// Exact counts of every word of length `len` (0 < len <= window), by code.
    pub fn counts_of_length(&self, len: usize) -> Result<WordCounts> {
        Ok(self.counts_from(len)?.swap_remove(0))
    }

    /// Exact counts of the words of every length from `shortest` (at least 1) to the window,
    /// shortest first. Each length comes from the next longer one, in one pass over it: an
    /// occurrence of a word either continues by a symbol or ends its sequence (a suffix).
    pub fn counts_from(&self, shortest: usize) -> Result<Vec<WordCounts>> {
        if shortest == 0 || shortest > self.window {
            return Err(CmechError::InvalidArgument(format!(
                "word length {shortest} outside 1..={}",
                self.window
            )));
        }
        let k = self.alphabet_size as u64;
        let mut out = vec![self.full.clone()];
        for len in (shortest..self.window).rev() {
            let mut c = WordCounts::empty(k.checked_pow(len as u32));
            for (code, n) in out.last().expect("starts with the full words").iter() {
                c.add(code / k, n);
            }
            for (code, n) in self.ends[len - 1].iter() {
                c.add(code, n);
            }
            out.push(c);
        }
        out.reverse();
        Ok(out)
    }
}
