//! Word counts of symbol sequences: the sufficient statistics of reconstruction.
//!
//! A [`CountTable`] holds, for a window length `m` (history length L plus one), the number of times
//! each word of length `m` occurs in one or more sequences, plus the last `m - 1` symbols of every
//! sequence. Counts of every shorter word follow exactly: prefix sums of the full windows, plus the
//! occurrences inside those tails (the windows a sequence's end cuts short). Tables of the same
//! alphabet and window merge by addition, so counting can be split over threads, shards of a file,
//! or machines, and no window ever crosses from one sequence into the next.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{CmechError, Result};

/// Dense arrays are used while `k^m` stays at or below this many entries (32 MiB of counts).
pub const MAX_DENSE_WORDS: u64 = 1 << 22;

/// Symbols per parallel counting task: large enough to amortise a task, small enough to balance.
const TASK_SYMBOLS: usize = 1 << 20;

/// Counts of the words of one length, indexed by their base-k code (first symbol most significant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WordCounts {
    Dense(Vec<u64>),
    Sparse(FxHashMap<u64, u64>),
}

impl WordCounts {
    fn empty(words: Option<u64>) -> WordCounts {
        match words {
            Some(w) if w <= MAX_DENSE_WORDS => WordCounts::Dense(vec![0; w as usize]),
            _ => WordCounts::Sparse(FxHashMap::default()),
        }
    }

    fn add(&mut self, code: u64, count: u64) {
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

    fn absorb(&mut self, other: &WordCounts) {
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
}

/// Counts of all words up to a window length over one or more sequences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountTable {
    alphabet_size: usize,
    window: usize,
    full: WordCounts,
    /// The last `min(len, window - 1)` symbols of each sequence, in the order they were added.
    tails: Vec<Vec<u32>>,
    symbols: u64,
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
                "words of {window} symbols over {alphabet_size} symbols do not fit in 64-bit codes; \
                 use a shorter history"
            )));
        }
        Ok(CountTable {
            alphabet_size,
            window,
            full: WordCounts::empty((alphabet_size as u64).checked_pow(window as u32)),
            tails: Vec::new(),
            symbols: 0,
        })
    }

    pub fn alphabet_size(&self) -> usize {
        self.alphabet_size
    }
    pub fn window(&self) -> usize {
        self.window
    }
    pub fn sequences(&self) -> usize {
        self.tails.len()
    }
    /// Symbols counted, over all sequences.
    pub fn symbols(&self) -> u64 {
        self.symbols
    }
    /// Counts of the full-length words.
    pub fn full_words(&self) -> &WordCounts {
        &self.full
    }

    /// Counts one sequence (its windows never join another sequence's), in parallel for long ones.
    /// Every symbol must be below the alphabet size.
    pub fn add_sequence(&mut self, seq: &[u32]) -> Result<()> {
        if let Some((i, &x)) = seq
            .iter()
            .enumerate()
            .find(|(_, &x)| x as usize >= self.alphabet_size)
        {
            return Err(CmechError::InvalidArgument(format!(
                "symbol {x} at position {i} is outside an alphabet of {} symbols",
                self.alphabet_size
            )));
        }
        let m = self.window;
        if seq.len() >= m {
            let starts = seq.len() - m + 1;
            let (k, words) = (self.alphabet_size as u64, self.words());
            let counted = (0..starts.div_ceil(TASK_SYMBOLS))
                .into_par_iter()
                .fold(
                    || WordCounts::empty(words),
                    |mut acc, t| {
                        let lo = t * TASK_SYMBOLS;
                        let hi = (lo + TASK_SYMBOLS).min(starts);
                        count_windows(&seq[lo..hi + m - 1], m, k, &mut acc);
                        acc
                    },
                )
                .reduce(
                    || WordCounts::empty(words),
                    |mut a, b| {
                        a.absorb(&b);
                        a
                    },
                );
            self.full.absorb(&counted);
        }
        self.tails
            .push(seq[seq.len().saturating_sub(m - 1)..].to_vec());
        self.symbols += seq.len() as u64;
        Ok(())
    }

    /// Adds another table's counts: the result is the table of all their sequences together.
    pub fn merge(&mut self, other: &CountTable) -> Result<()> {
        if other.alphabet_size != self.alphabet_size || other.window != self.window {
            return Err(CmechError::InvalidArgument(format!(
                "cannot merge a table of {} symbols and window {} into one of {} symbols and window {}",
                other.alphabet_size, other.window, self.alphabet_size, self.window
            )));
        }
        self.full.absorb(&other.full);
        self.tails.extend(other.tails.iter().cloned());
        self.symbols += other.symbols;
        Ok(())
    }

    fn words(&self) -> Option<u64> {
        (self.alphabet_size as u64).checked_pow(self.window as u32)
    }

    /// The code of a word (first symbol most significant).
    pub fn encode(&self, word: &[u32]) -> u64 {
        word.iter()
            .fold(0u64, |c, &x| c * self.alphabet_size as u64 + x as u64)
    }

    /// Exact counts of every word of length `len` (0 < len <= window), by code.
    pub fn counts_of_length(&self, len: usize) -> Result<WordCounts> {
        if len == 0 || len > self.window {
            return Err(CmechError::InvalidArgument(format!(
                "word length {len} outside 1..={}",
                self.window
            )));
        }
        let k = self.alphabet_size as u64;
        let shift = k.pow((self.window - len) as u32);
        let mut out = WordCounts::empty(k.checked_pow(len as u32));
        for (code, c) in self.full.iter() {
            out.add(code / shift, c);
        }
        for tail in &self.tails {
            if tail.len() >= len {
                count_windows(tail, len, k, &mut out);
            }
        }
        Ok(out)
    }
}

/// Adds every window of length `m` in `seq` to `acc`, with a rolling code: the outgoing symbol's
/// place value is subtracted rather than taken modulo, which would divide at every symbol.
fn count_windows(seq: &[u32], m: usize, k: u64, acc: &mut WordCounts) {
    if seq.len() < m {
        return;
    }
    let lead = k.pow(m as u32 - 1);
    let mut code = seq[..m].iter().fold(0u64, |c, &x| c * k + x as u64);
    acc.add(code, 1);
    for (&out, &x) in seq.iter().zip(&seq[m..]) {
        code = (code - out as u64 * lead) * k + x as u64;
        acc.add(code, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(seqs: &[Vec<u32>], word: &[u32]) -> u64 {
        seqs.iter()
            .map(|s| s.windows(word.len()).filter(|w| *w == word).count() as u64)
            .sum()
    }

    fn random_seq(n: usize, k: u32, seed: u64) -> Vec<u32> {
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 33) % k as u64) as u32
            })
            .collect()
    }

    #[test]
    fn counts_of_every_length_match_naive_counting() {
        let seqs = vec![
            random_seq(5000, 3, 1),
            random_seq(7, 3, 2),
            random_seq(2, 3, 3),
            vec![],
        ];
        let mut t = CountTable::new(3, 4).unwrap();
        for s in &seqs {
            t.add_sequence(s).unwrap();
        }
        assert_eq!(t.symbols(), 5009);
        for len in 1..=4 {
            let counts = t.counts_of_length(len).unwrap();
            for code in 0..3u64.pow(len as u32) {
                let word: Vec<u32> = (0..len)
                    .map(|i| ((code / 3u64.pow((len - 1 - i) as u32)) % 3) as u32)
                    .collect();
                assert_eq!(counts.get(code), naive(&seqs, &word), "{word:?}");
            }
        }
    }

    #[test]
    fn merging_equals_counting_together_and_sparse_equals_dense() {
        let a = random_seq(3_000_000, 2, 5);
        let b = random_seq(1234, 2, 6);
        let mut whole = CountTable::new(2, 6).unwrap();
        whole.add_sequence(&a).unwrap();
        whole.add_sequence(&b).unwrap();
        let mut left = CountTable::new(2, 6).unwrap();
        left.add_sequence(&a).unwrap();
        let mut right = CountTable::new(2, 6).unwrap();
        right.add_sequence(&b).unwrap();
        left.merge(&right).unwrap();
        assert_eq!(left, whole);
        // A window too long for dense arrays gives the same counts sparsely.
        let mut sparse = CountTable::new(2, 23).unwrap();
        sparse.add_sequence(&b).unwrap();
        assert!(matches!(sparse.full_words(), WordCounts::Sparse(_)));
        let from_sparse = sparse.counts_of_length(6).unwrap();
        let from_dense = right.counts_of_length(6).unwrap();
        assert_eq!(
            from_sparse.iter().collect::<Vec<_>>(),
            from_dense.iter().collect::<Vec<_>>()
        );
        assert!(CountTable::new(3, 6).unwrap().merge(&right).is_err());
    }

    #[test]
    fn symbols_outside_the_alphabet_are_rejected() {
        let e = CountTable::new(2, 3)
            .unwrap()
            .add_sequence(&[0, 1, 2])
            .unwrap_err();
        assert!(e.to_string().contains("symbol 2 at position 2"), "{e}");
        assert!(CountTable::new(256, 9).is_err());
    }
}
