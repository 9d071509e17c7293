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
use engine::Kind;

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

/// The global value of I(X; Y | Z) for a query over series that share their trials.
pub fn embedded_cmi(series: &[&Series], query: &Query) -> Result<f64> {
    estimate_query(series, query, Kind::Cmi, "the query").map(|(v, _)| v)
}

/// Local values of I(X; Y | Z) for a query.
pub fn embedded_local_cmi(series: &[&Series], query: &Query) -> Result<Local> {
    local(series, query, Kind::Cmi, "the query")
}

fn estimate_query(
    series: &[&Series],
    query: &Query,
    kind: Kind,
    what: &str,
) -> Result<(f64, usize)> {
    let e = Embedded::new(series, query)?;
    if e.lengths_total() == 0 {
        return Err(no_window(what, &e));
    }
    let counted = engine::count(&e, kind)?;
    Ok((counted.value(), e.lengths_total()))
}

fn local(series: &[&Series], query: &Query, kind: Kind, what: &str) -> Result<Local> {
    let e = Embedded::new(series, query)?;
    if e.lengths_total() == 0 {
        return Err(no_window(what, &e));
    }
    let counted = engine::count(&e, kind)?;
    Ok(Local {
        average: counted.value(),
        values: counted.locals(&e),
        offset: e.offset,
        lengths: e.lengths.clone(),
    })
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
pub fn te_query(opts: &TeOptions, conditions: usize) -> Query {
    let mut z = vec![Window::new(0, opts.k, 1)];
    z.extend((0..conditions).map(|c| Window::new(2 + c, 1, 1)));
    Query {
        x: vec![Window::new(0, 1, 0)],
        y: vec![Window::new(1, opts.l, opts.delay)],
        z,
    }
}

fn te_series<'a>(
    source: &'a Series,
    target: &'a Series,
    conditions: &[&'a Series],
) -> Vec<&'a Series> {
    let mut s = vec![target, source];
    s.extend_from_slice(conditions);
    s
}

/// Transfer entropy TE(source -> target) in bits.
pub fn transfer_entropy(source: &Series, target: &Series, opts: &TeOptions) -> Result<f64> {
    conditional_transfer_entropy(source, target, &[], opts)
}

/// Local transfer entropy at every step of the target that has a complete history.
pub fn local_transfer_entropy(source: &Series, target: &Series, opts: &TeOptions) -> Result<Local> {
    local_conditional_transfer_entropy(source, target, &[], opts)
}

/// Conditional transfer entropy TE(source -> target | conditions): each conditioning series
/// enters with its value at t - 1.
pub fn conditional_transfer_entropy(
    source: &Series,
    target: &Series,
    conditions: &[&Series],
    opts: &TeOptions,
) -> Result<f64> {
    opts.check()?;
    let s = te_series(source, target, conditions);
    estimate_query(
        &s,
        &te_query(opts, conditions.len()),
        Kind::Cmi,
        &te_name(opts),
    )
    .map(|(v, _)| v)
}

/// Local conditional transfer entropy.
pub fn local_conditional_transfer_entropy(
    source: &Series,
    target: &Series,
    conditions: &[&Series],
    opts: &TeOptions,
) -> Result<Local> {
    opts.check()?;
    let s = te_series(source, target, conditions);
    local(
        &s,
        &te_query(opts, conditions.len()),
        Kind::Cmi,
        &te_name(opts),
    )
}

fn te_name(opts: &TeOptions) -> String {
    format!(
        "transfer entropy with k = {}, l = {}, delay = {}",
        opts.k, opts.l, opts.delay
    )
}

/// The query of AIS with history k (series 0).
pub fn ais_query(k: usize) -> Query {
    Query {
        x: vec![Window::new(0, 1, 0)],
        y: vec![Window::new(0, k, 1)],
        z: vec![],
    }
}

fn check_k(k: usize) -> Result<()> {
    at_least_one("k", k).map(drop)
}

/// Active information storage I(X_{t-k..t-1}; X_t) in bits.
pub fn active_information(series: &Series, k: usize) -> Result<f64> {
    check_k(k)?;
    estimate_query(
        &[series],
        &ais_query(k),
        Kind::Cmi,
        &format!("AIS with k = {k}"),
    )
    .map(|(v, _)| v)
}

/// Local active information storage at every step with a complete history.
pub fn local_active_information(series: &Series, k: usize) -> Result<Local> {
    check_k(k)?;
    local(
        &[series],
        &ais_query(k),
        Kind::Cmi,
        &format!("AIS with k = {k}"),
    )
}

/// The query of MI between series 0 and 1 (at the same time step).
pub fn mi_query() -> Query {
    Query {
        x: vec![Window::new(0, 1, 0)],
        y: vec![Window::new(1, 1, 0)],
        z: vec![],
    }
}

/// Mutual information I(X_t; Y_t) in bits.
pub fn mutual_information(x: &Series, y: &Series) -> Result<f64> {
    estimate_query(&[x, y], &mi_query(), Kind::Cmi, "mutual information").map(|(v, _)| v)
}

/// Local mutual information at every step.
pub fn local_mutual_information(x: &Series, y: &Series) -> Result<Local> {
    local(&[x, y], &mi_query(), Kind::Cmi, "mutual information")
}

/// Conditional mutual information I(X_t; Y_t | Z_t) in bits, conditioned on the joint of the
/// series in `z` at the same step.
pub fn conditional_mutual_information(x: &Series, y: &Series, z: &[&Series]) -> Result<f64> {
    let (s, q) = cmi_parts(x, y, z);
    estimate_query(&s, &q, Kind::Cmi, "conditional mutual information").map(|(v, _)| v)
}

/// Local conditional mutual information at every step.
pub fn local_conditional_mutual_information(
    x: &Series,
    y: &Series,
    z: &[&Series],
) -> Result<Local> {
    let (s, q) = cmi_parts(x, y, z);
    local(&s, &q, Kind::Cmi, "conditional mutual information")
}

fn cmi_parts<'a>(x: &'a Series, y: &'a Series, z: &[&'a Series]) -> (Vec<&'a Series>, Query) {
    let mut s = vec![x, y];
    s.extend_from_slice(z);
    let q = Query {
        x: vec![Window::new(0, 1, 0)],
        y: vec![Window::new(1, 1, 0)],
        z: (0..z.len()).map(|i| Window::new(2 + i, 1, 0)).collect(),
    };
    (s, q)
}

/// Shannon entropy H(X) of the symbols, in bits.
pub fn entropy(x: &Series) -> Result<f64> {
    block_entropy(x, 1)
}

/// Block entropy H(X_{t..t+k-1}) of blocks of k symbols (all windows within trials).
pub fn block_entropy(x: &Series, k: usize) -> Result<f64> {
    check_k(k)?;
    estimate_query(
        &[x],
        &block_query(k),
        Kind::CondEntropy,
        &format!("block entropy with k = {k}"),
    )
    .map(|(v, _)| v)
}

/// Local block entropy: -log2 p(block) for every block, indexed by the block's last step
/// (PyInform indexes them by the first; the values and their order are the same).
pub fn local_block_entropy(x: &Series, k: usize) -> Result<Local> {
    check_k(k)?;
    local(
        &[x],
        &block_query(k),
        Kind::CondEntropy,
        &format!("block entropy with k = {k}"),
    )
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

/// Entropy rate estimate with history k: H(X_t | X_{t-k..t-1}) in bits (PyInform's
/// `entropy_rate`). Transfer entropy with history k never exceeds it.
pub fn entropy_rate(x: &Series, k: usize) -> Result<f64> {
    check_k(k)?;
    estimate_query(
        &[x],
        &entropy_rate_query(k),
        Kind::CondEntropy,
        &format!("entropy rate with k = {k}"),
    )
    .map(|(v, _)| v)
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
        assert!((entropy(&s(&[0, 1, 0, 1])).unwrap() - 1.0).abs() < 1e-15);
        assert!(
            (block_entropy(&s(&[0, 0, 1, 1, 0, 0]), 2).unwrap() - 1.9219280948873623).abs() < 1e-12
        );
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
