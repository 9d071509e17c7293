//! Discrete data as every estimate reads it: symbols below an alphabet of at most 256 letters, in
//! trials that no window crosses, checked once when the series is made.

use super::bad;
use crate::error::Result;

/// Largest alphabet of a series.
pub const MAX_ALPHABET: usize = 256;

fn letters(n: usize) -> String {
    if n == 1 {
        "1 letter".into()
    } else {
        format!("{n} letters")
    }
}

/// Discrete data: symbols `0..alphabet` in one or more trials (sequences that are not joined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    symbols: Vec<u8>,
    /// Start of each trial in `symbols`, and `symbols.len()` at the end.
    starts: Vec<usize>,
    alphabet: usize,
}

impl Series {
    /// One trial. `alphabet`: the number of letters (every symbol must be below it); `None`
    /// infers it as the largest symbol plus one, at least 2 (as PyInform does).
    pub fn new(symbols: Vec<u8>, alphabet: Option<usize>) -> Result<Series> {
        let n = symbols.len();
        Series::with_lengths(symbols, &[n], alphabet)
    }

    /// The trials of several series of one alphabet, one after another (the trials of many
    /// recordings pooled).
    pub fn join(parts: &[Series]) -> Result<Series> {
        let Some(first) = parts.first() else {
            return Err(bad("no series to join"));
        };
        let alphabet = first.alphabet;
        if let Some(p) = parts.iter().find(|p| p.alphabet != alphabet) {
            return Err(bad(format!(
                "series of {} and {} letters cannot be joined",
                letters(alphabet),
                letters(p.alphabet)
            )));
        }
        let symbols: Vec<u8> = parts
            .iter()
            .flat_map(|p| p.symbols.iter().copied())
            .collect();
        let lengths: Vec<usize> = parts.iter().flat_map(|p| p.trial_lengths()).collect();
        Series::with_lengths(symbols, &lengths, Some(alphabet))
    }

    /// Trials of equal length `trial_len`, one after another (the rows of a 2-D array).
    pub fn rows(symbols: Vec<u8>, trial_len: usize, alphabet: Option<usize>) -> Result<Series> {
        if trial_len == 0 {
            return Err(bad("trials of length 0 hold no data"));
        }
        if !symbols.len().is_multiple_of(trial_len) {
            return Err(bad(format!(
                "{} symbols do not split into trials of {trial_len}",
                symbols.len()
            )));
        }
        let lengths = vec![trial_len; symbols.len() / trial_len];
        Series::with_lengths(symbols, &lengths, alphabet)
    }

    /// Trials of the given lengths, one after another in `symbols`.
    pub fn with_lengths(
        symbols: Vec<u8>,
        lengths: &[usize],
        alphabet: Option<usize>,
    ) -> Result<Series> {
        let total: usize = lengths.iter().sum();
        if total != symbols.len() {
            return Err(bad(format!(
                "trial lengths add up to {total}, but there are {} symbols",
                symbols.len()
            )));
        }
        let max = symbols.iter().copied().max().map_or(0, |m| m as usize);
        let alphabet = match alphabet {
            None => (max + 1).max(2),
            Some(a) if a == 0 || a > MAX_ALPHABET => {
                return Err(bad(format!(
                    "an alphabet of {a} letters is out of range (1 to {MAX_ALPHABET})"
                )))
            }
            Some(a) => {
                if max >= a {
                    let at = symbols.iter().position(|&s| s as usize >= a).unwrap_or(0);
                    return Err(bad(format!(
                        "symbol {} at position {at} is beyond the alphabet of {} (0 to {})",
                        symbols[at],
                        letters(a),
                        a - 1
                    )));
                }
                a
            }
        };
        let mut starts = Vec::with_capacity(lengths.len() + 1);
        let mut at = 0;
        for &l in lengths {
            starts.push(at);
            at += l;
        }
        starts.push(at);
        Ok(Series {
            symbols,
            starts,
            alphabet,
        })
    }

    /// Trials given one by one.
    pub fn from_trials(trials: &[&[u8]], alphabet: Option<usize>) -> Result<Series> {
        let lengths: Vec<usize> = trials.iter().map(|t| t.len()).collect();
        Series::with_lengths(trials.concat(), &lengths, alphabet)
    }

    /// Integers (one trial, or rows of `trial_len`), each of which must be a symbol in 0..=255
    /// (and below `alphabet` when it is given).
    pub fn from_ints(
        values: &[i64],
        trial_len: Option<usize>,
        alphabet: Option<usize>,
    ) -> Result<Series> {
        let limit = alphabet.unwrap_or(MAX_ALPHABET).min(MAX_ALPHABET) as i64;
        let mut symbols = Vec::with_capacity(values.len());
        for (i, &v) in values.iter().enumerate() {
            if v < 0 || v >= limit {
                return Err(bad(if alphabet.is_some() {
                    format!(
                        "symbol {v} at position {i} is beyond the alphabet of {} (0 to {})",
                        letters(limit as usize),
                        limit - 1
                    )
                } else {
                    format!("symbol {v} at position {i} is not in 0 to 255")
                }));
            }
            symbols.push(v as u8);
        }
        match trial_len {
            Some(l) => Series::rows(symbols, l, alphabet),
            None => Series::new(symbols, alphabet),
        }
    }

    /// Number of letters.
    pub fn alphabet(&self) -> usize {
        self.alphabet
    }
    /// Number of trials.
    pub fn num_trials(&self) -> usize {
        self.starts.len() - 1
    }
    /// Symbols of trial `r`.
    pub fn trial(&self, r: usize) -> &[u8] {
        &self.symbols[self.starts[r]..self.starts[r + 1]]
    }
    /// Length of every trial.
    pub fn trial_lengths(&self) -> Vec<usize> {
        self.starts.windows(2).map(|w| w[1] - w[0]).collect()
    }
    /// Total number of symbols.
    pub fn len(&self) -> usize {
        self.symbols.len()
    }
    /// Whether there is no symbol at all (no trial, or only empty ones).
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }
    /// All symbols, trial after trial.
    pub fn symbols(&self) -> &[u8] {
        &self.symbols
    }
}
