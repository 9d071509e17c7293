//! Information flow on discrete series: plug-in entropies, mutual information, conditional mutual
//! information, transfer entropy (TE), conditional TE and active information storage (AIS), as
//! averages and as local (pointwise) values, in bits.
//!
//! A [`Series`] holds symbols `0..alphabet` (at most 256 letters) in one or more trials. Windows
//! never cross from one trial into the next; counts are pooled over all trials, as PyInform does
//! with a 2-D array and JIDT with repeated `addObservations`.
//!
//! Conventions (those of PyInform and JIDT, whose values these agree with to rounding):
//! - TE(Y -> X) with target history `k`, source history `l` and delay `d` is
//!   I(Y_{t-d-l+1..t-d} ; X_t | X_{t-k..t-1}); with l = d = 1 the source value is the one at the
//!   time of the last target history value (PyInform's only case, JIDT's default). Conditioning
//!   series enter with their value at t-1, as in PyInform.
//! - AIS with history k is I(X_{t-k..t-1} ; X_t).
//! - Local values exist only where every window is complete: for TE the first
//!   `max(k, d + l - 1)` steps of every trial, for AIS the first `k`, have none. [`Local`] holds
//!   the values of each trial from its first complete step on, like PyInform's (trials, m - k)
//!   arrays; JIDT fills the missing steps with zeros instead ([`Local::padded`] fills with any value).
//! - The average of the local values is the global value (up to the rounding of a sum).
//!
//! Every estimate is counted from the data once: codes of histories are integers in base
//! `alphabet` (rolled along each trial, not rebuilt); joint spaces up to 2^22 cells are counted in
//! dense arrays, larger ones in hash maps. Work is split over blocks of the data in parallel
//! (rayon); the integer counts, and so every value, are the same for any number of threads.
//!
//! [`measure`] names an estimate by its parameters ([`Measure`]), as the CLI and Python ask for
//! it, and corrects averages for bias on request ([`Bias::MillerMadow`]);
//! [`significance`] has surrogate (permutation) tests and the analytic chi-square test;
//! [`boundary`] the infiltration and exfiltration of a split into inside, boundary and outside;
//! [`crate::ca`] cellular automata and their local fields.
//!
//! The data are in `series` ([`Series`]), queries and the observations they make of the data in
//! `embed` ([`Query`], [`Window`]); the estimates themselves are here.

pub mod boundary;
mod embed;
pub(crate) mod engine;
pub mod measure;
mod series;
pub mod significance;

use serde::Serialize;

use crate::error::{at_least_one, CmechError, Result};

pub use boundary::{boundary_scores, BoundaryScores, Split};
pub(crate) use embed::{longest_trial, no_window, no_window_at, Embedded};
pub use embed::{Query, Window};
pub use measure::{estimate, evaluate, test, Bias, Evaluation, Measure, Test, Tested};
pub use series::{Series, MAX_ALPHABET};
pub use significance::{ChiSquareTest, SurrogateTest};

pub(crate) fn bad(msg: impl Into<String>) -> CmechError {
    CmechError::InvalidArgument(msg.into())
}

/// Local values of an estimate, with their average.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Local {
    /// The global value: the average of `values`.
    pub average: f64,
    /// Values trial after trial; trial r has one for each of its steps offset..len_r.
    pub values: Vec<f64>,
    /// Steps at the start of every trial that have no value.
    pub offset: usize,
    /// Number of values of each trial.
    pub lengths: Vec<usize>,
}

impl Local {
    /// Values of trial `r` (its step offset + i is value i).
    pub fn trial(&self, r: usize) -> &[f64] {
        let start: usize = self.lengths[..r].iter().sum();
        &self.values[start..start + self.lengths[r]]
    }
    /// Values aligned with the data, whose trials have `trial_lengths` steps
    /// ([`Series::trial_lengths`]): the steps without a value (the first `offset` of each trial,
    /// all of a trial too short for any) are set to `fill`.
    pub fn padded(&self, trial_lengths: &[usize], fill: f64) -> Vec<f64> {
        let mut out = Vec::with_capacity(trial_lengths.iter().sum());
        let mut at = 0;
        for (&l, &m) in self.lengths.iter().zip(trial_lengths) {
            out.extend(std::iter::repeat_n(fill, m.saturating_sub(l)));
            out.extend_from_slice(&self.values[at..at + l]);
            at += l;
        }
        out
    }
}

/// Parameters of transfer entropy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TeOptions {
    /// Target history length (at least 1).
    pub k: usize,
    /// Source history length (at least 1).
    pub l: usize,
    /// Source-target delay: the newest source value is at t - delay (at least 1).
    pub delay: usize,
}

impl Default for TeOptions {
    fn default() -> Self {
        TeOptions {
            k: 1,
            l: 1,
            delay: 1,
        }
    }
}

impl TeOptions {
    /// Target history `k`, with source history and delay 1 (PyInform's only case).
    pub fn new(k: usize) -> TeOptions {
        TeOptions {
            k,
            ..TeOptions::default()
        }
    }
    fn check(&self) -> Result<()> {
        at_least_one("k", self.k)?;
        at_least_one("l", self.l)?;
        at_least_one("delay", self.delay)?;
        Ok(())
    }
}

/// The query of TE(source -> target | conditions): series 0 is the target, 1 the source, then
/// the conditions.
fn te_query(opts: &TeOptions, conditions: usize) -> Query {
    let mut z = vec![Window::new(0, opts.k, 1)];
    z.extend((0..conditions).map(|c| Window::new(2 + c, 1, 1)));
    Query {
        x: vec![Window::new(0, 1, 0)],
        y: vec![Window::new(1, opts.l, opts.delay)],
        z,
    }
}

fn te_name(opts: &TeOptions) -> String {
    format!(
        "transfer entropy with k = {}, l = {}, delay = {}",
        opts.k, opts.l, opts.delay
    )
}

/// The query of AIS with history k (series 0).
fn ais_query(k: usize) -> Query {
    Query {
        x: vec![Window::new(0, 1, 0)],
        y: vec![Window::new(0, k, 1)],
        z: vec![],
    }
}

fn check_k(k: usize) -> Result<()> {
    at_least_one("k", k).map(drop)
}

fn entropy_rate_query(k: usize) -> Query {
    Query {
        x: vec![Window::new(0, 1, 0)],
        y: vec![],
        z: vec![Window::new(0, k, 1)],
    }
}

fn block_query(k: usize) -> Query {
    Query {
        x: vec![Window::new(0, k, 0)],
        y: vec![],
        z: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::engine::Observations;
    use super::*;

    fn s(v: &[u8]) -> Series {
        Series::new(v.to_vec(), None).unwrap()
    }

    #[test]
    fn entropy_of_a_fair_pattern() {
        let h = |v: &[u8], k| estimate(&Measure::BlockEntropy { k }, &[&s(v)], Bias::PlugIn);
        assert!((h(&[0, 1, 0, 1], 1).unwrap() - 1.0).abs() < 1e-15);
        assert!((h(&[0, 0, 1, 1, 0, 0], 2).unwrap() - 1.9219280948873623).abs() < 1e-12);
    }

    #[test]
    fn rolling_codes_match_direct_codes() {
        let x: Vec<u8> = (0..200u32).map(|i| ((i * 7 + i / 3) % 3) as u8).collect();
        let ser = Series::new(x.clone(), None).unwrap();
        let q = Query {
            x: vec![Window::new(0, 3, 2)],
            y: vec![Window::new(0, 1, 0)],
            z: vec![],
        };
        let e = Embedded::new(&[&ser], &q).unwrap();
        let mut got = Vec::new();
        for b in 0..e.num_blocks() {
            e.visit(b, |a, _, _| got.push(a));
        }
        let want: Vec<u64> = (4..200)
            .map(|t| x[t - 4] as u64 * 9 + x[t - 3] as u64 * 3 + x[t - 2] as u64)
            .collect();
        assert_eq!(got, want);
    }
}
