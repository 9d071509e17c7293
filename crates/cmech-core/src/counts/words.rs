//! Counts of the words of one length, by code: dense while the code space is small enough to
//! enumerate, sparse beyond it, so that long windows cost memory only for the words that occur.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Dense arrays are used while `k^m` stays at or below this many entries (32 MiB of counts).
pub const MAX_DENSE_WORDS: u64 = 1 << 22;

/// Counts of the words of one length, indexed by their base-k code (first symbol most significant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WordCounts {
    /// A count for every code, indexed by code: for code spaces small enough to enumerate.
    Dense(Vec<u64>),
    /// Counts of the codes that occur: for code spaces too large to enumerate.
    Sparse(FxHashMap<u64, u64>),
}

impl WordCounts {
    /// Empty counts for a code space of `words` codes (`None`: too many to enumerate).
    pub fn empty(words: Option<u64>) -> WordCounts {
        WordCounts::dense_up_to(words, MAX_DENSE_WORDS)
    }

    /// Empty counts, dense if there are at most `limit` codes.
    pub(super) fn dense_up_to(words: Option<u64>, limit: u64) -> WordCounts {
        match words {
            Some(w) if w <= limit => WordCounts::Dense(vec![0; w as usize]),
            _ => WordCounts::Sparse(FxHashMap::default()),
        }
    }

    /// Adds `count` occurrences of the word with this code (which must be in the code space).
    #[inline]
    pub fn add(&mut self, code: u64, count: u64) {
        match self {
            WordCounts::Dense(v) => v[code as usize] += count,
            WordCounts::Sparse(m) => *m.entry(code).or_insert(0) += count,
        }
    }

    /// The count of the word with this code.
    pub fn get(&self, code: u64) -> u64 {
        match self {
            WordCounts::Dense(v) => v.get(code as usize).copied().unwrap_or(0),
            WordCounts::Sparse(m) => m.get(&code).copied().unwrap_or(0),
        }
    }

    pub(super) fn absorb(&mut self, other: &WordCounts) {
        match (self, other) {
            (WordCounts::Dense(a), WordCounts::Dense(b)) => {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y)
            }
            (this, other) => {
                for (code, c) in other.iter() {
                    this.add(code, c);
                }
            }
        }
    }

    /// Non-zero (code, count) pairs in increasing code order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (u64, u64)> + '_> {
        match self {
            WordCounts::Dense(v) => Box::new(
                v.iter()
                    .enumerate()
                    .filter(|(_, &c)| c > 0)
                    .map(|(i, &c)| (i as u64, c)),
            ),
            WordCounts::Sparse(m) => {
                let mut pairs: Vec<(u64, u64)> = m.iter().map(|(&a, &b)| (a, b)).collect();
                pairs.sort_unstable();
                Box::new(pairs.into_iter())
            }
        }
    }

    /// The sum of all counts.
    pub fn total(&self) -> u64 {
        match self {
            WordCounts::Dense(v) => v.iter().sum(),
            WordCounts::Sparse(m) => m.values().sum(),
        }
    }
}
