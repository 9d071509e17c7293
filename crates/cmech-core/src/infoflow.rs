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

pub mod boundary;
pub(crate) mod engine;
pub mod measure;
pub mod significance;

use serde::Serialize;

use crate::error::{CmechError, Result};
use engine::{Kind, Observations};

pub use boundary::{boundary_scores, BoundaryScores, Split};
pub use measure::{estimate, evaluate, test, Bias, Evaluation, Measure, Test, Tested};
pub use significance::{ChiSquareTest, SurrogateTest};

/// Largest alphabet of a series.
pub const MAX_ALPHABET: usize = 256;

pub(crate) fn bad(msg: impl Into<String>) -> CmechError {
    CmechError::InvalidArgument(msg.into())
}

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

/// A window of one series in an observation at time t: the symbols at t-lag-len+1 ..= t-lag,
/// read as one number in base `alphabet` (oldest symbol most significant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Index into the list of series of the query.
    pub series: usize,
    /// Number of consecutive symbols (at least 1): a history length.
    pub len: usize,
    /// Steps from t back to the newest symbol (0: the symbol at t itself, as the target's next
    /// value; 1: a history that ends at t - 1).
    pub lag: usize,
}

impl Window {
    /// The `len` symbols of series `series` whose newest is `lag` steps before t.
    pub fn new(series: usize, len: usize, lag: usize) -> Window {
        Window { series, len, lag }
    }
}

/// I(X; Y | Z) where X, Y and Z are each a joint of windows (Z may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// The windows of X, read as one joint symbol (for TE and AIS, the target's value at t).
    pub x: Vec<Window>,
    /// The windows of Y, read as one joint symbol (for TE, the source history): what a surrogate
    /// test permutes.
    pub y: Vec<Window>,
    /// The conditioning windows, read as one joint symbol; empty for no condition.
    pub z: Vec<Window>,
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

/// The number of values `len` symbols in base `base` can take, if it fits in 64 bits.
fn power(base: usize, len: usize) -> Option<u64> {
    (base as u64).checked_pow(len as u32)
}

/// One window of one trial, as rolled along the trial.
#[derive(Clone, Copy)]
struct Roll<'a> {
    s: &'a [u8],
    len: usize,
    lag: usize,
    base: u64,
    /// base^(len - 1): the weight of the oldest symbol.
    top: u64,
}

/// Observations of a query over series that share their trials.
pub(crate) struct Embedded<'a> {
    series: Vec<&'a Series>,
    vars: [Vec<Window>; 3],
    /// Per variable: the weight of each window in the variable's code.
    weights: [Vec<u128>; 3],
    cards: [u64; 3],
    /// Variables whose joint states do not fit 64 bits: their id at every observation (ids in
    /// order of first appearance).
    ids: [Option<Vec<u64>>; 3],
    /// (trial, first t, end t).
    blocks: Vec<(usize, usize, usize)>,
    /// Index of the first observation of every block.
    block_starts: Vec<usize>,
    pub offset: usize,
    pub lengths: Vec<usize>,
}

const BLOCK: usize = 1 << 15;

/// Windows of one variable rolled along one trial.
struct Rolling<'a> {
    rolls: Vec<Roll<'a>>,
    codes: Vec<u64>,
}

impl<'a> Rolling<'a> {
    fn new(series: &[&'a Series], windows: &[Window], r: usize, t0: usize) -> Rolling<'a> {
        let mut rolls = Vec::with_capacity(windows.len());
        let mut codes = Vec::with_capacity(windows.len());
        for w in windows {
            let s = series[w.series];
            let base = s.alphabet() as u64;
            let roll = Roll {
                s: s.trial(r),
                len: w.len,
                lag: w.lag,
                base,
                top: base.pow(w.len as u32 - 1),
            };
            let start = t0 - w.lag + 1 - w.len;
            codes.push(
                roll.s[start..start + w.len]
                    .iter()
                    .fold(0u64, |c, &x| c * base + x as u64),
            );
            rolls.push(roll);
        }
        Rolling { rolls, codes }
    }

    /// Moves every window from step t to t + 1.
    #[inline]
    fn advance(&mut self, t: usize) {
        for (roll, code) in self.rolls.iter().zip(self.codes.iter_mut()) {
            let out = roll.s[t + 1 - roll.lag - roll.len] as u64;
            let inn = roll.s[t + 1 - roll.lag] as u64;
            *code = (*code - out * roll.top) * roll.base + inn;
        }
    }

    #[inline]
    fn code(&self, weights: &[u128]) -> u64 {
        self.codes
            .iter()
            .zip(weights)
            .map(|(&c, &w)| c.wrapping_mul(w as u64))
            .fold(0u64, u64::wrapping_add)
    }

    #[inline]
    fn wide_code(&self, weights: &[u128]) -> u128 {
        self.codes
            .iter()
            .zip(weights)
            .map(|(&c, &w)| c as u128 * w)
            .sum()
    }
}

impl<'a> Embedded<'a> {
    /// Checks the query against the data: lengths agree, windows fit, state spaces fit 128 bits.
    pub fn new(series: &[&'a Series], query: &Query) -> Result<Embedded<'a>> {
        let first = series.first().ok_or_else(|| bad("no series were given"))?;
        let lengths = first.trial_lengths();
        for s in &series[1..] {
            if s.num_trials() != first.num_trials() {
                return Err(bad(format!(
                    "the series have different numbers of trials ({} and {})",
                    first.num_trials(),
                    s.num_trials()
                )));
            }
            let other = s.trial_lengths();
            if let Some(r) = (0..lengths.len()).find(|&r| lengths[r] != other[r]) {
                return Err(bad(if lengths.len() == 1 {
                    format!(
                        "the series have unequal lengths ({} and {} symbols)",
                        lengths[r], other[r]
                    )
                } else {
                    format!(
                        "the series have unequal lengths in trial {r} ({} and {} symbols)",
                        lengths[r], other[r]
                    )
                }));
            }
        }
        let vars = [query.x.clone(), query.y.clone(), query.z.clone()];
        let mut weights: [Vec<u128>; 3] = Default::default();
        let mut cards = [1u64; 3];
        let mut wide = [false; 3];
        let mut offset = 0;
        for (v, windows) in vars.iter().enumerate() {
            let mut card = 1u128;
            let mut w = Vec::with_capacity(windows.len());
            for win in windows.iter().rev() {
                let s = series.get(win.series).ok_or_else(|| {
                    bad(format!(
                        "window on series {} of {}",
                        win.series,
                        series.len()
                    ))
                })?;
                if win.len == 0 {
                    return Err(bad("a window of length 0"));
                }
                let c = power(s.alphabet(), win.len).ok_or_else(|| too_many(s, win.len))?;
                w.push(card);
                card = card.checked_mul(c as u128).ok_or_else(|| {
                    bad(format!(
                        "the joint states of {} windows do not fit in 128 bits; use fewer \
                         variables or shorter histories",
                        windows.len()
                    ))
                })?;
                offset = offset.max(win.lag + win.len - 1);
            }
            w.reverse();
            weights[v] = w;
            match u64::try_from(card) {
                Ok(c) => cards[v] = c,
                Err(_) => wide[v] = true,
            }
        }
        let mut blocks = Vec::new();
        let mut block_starts = Vec::new();
        let mut out_lengths = Vec::with_capacity(lengths.len());
        let mut at = 0;
        for (r, &m) in lengths.iter().enumerate() {
            let n = m.saturating_sub(offset);
            out_lengths.push(n);
            let mut t = offset;
            while t < m {
                let end = (t + BLOCK).min(m);
                blocks.push((r, t, end));
                block_starts.push(at);
                at += end - t;
                t = end;
            }
        }
        let mut e = Embedded {
            series: series.to_vec(),
            vars,
            weights,
            cards,
            ids: Default::default(),
            blocks,
            block_starts,
            offset,
            lengths: out_lengths,
        };
        for (v, &is_wide) in wide.iter().enumerate() {
            if is_wide {
                let (ids, distinct) = e.compact(v);
                e.ids[v] = Some(ids);
                e.cards[v] = distinct.max(1);
            }
        }
        Ok(e)
    }

    /// Ids of the joint states of variable v at every observation, and how many there are.
    fn compact(&self, v: usize) -> (Vec<u64>, u64) {
        let mut map: rustc_hash::FxHashMap<u128, u64> = Default::default();
        let mut ids = Vec::with_capacity(self.lengths_total());
        for &(r, t0, t1) in &self.blocks {
            let mut roll = Rolling::new(&self.series, &self.vars[v], r, t0);
            for t in t0..t1 {
                let code = roll.wide_code(&self.weights[v]);
                let next = map.len() as u64;
                ids.push(*map.entry(code).or_insert(next));
                if t + 1 < t1 {
                    roll.advance(t);
                }
            }
        }
        let n = map.len() as u64;
        (ids, n)
    }

    pub fn lengths_total(&self) -> usize {
        self.lengths.iter().sum()
    }
}

fn too_many(s: &Series, len: usize) -> CmechError {
    bad(format!(
        "a history of {len} symbols over {} letters has {}^{len} states, more than 64 bits hold; \
         use a shorter history",
        s.alphabet(),
        s.alphabet()
    ))
}

impl Observations for Embedded<'_> {
    fn cards(&self) -> [u64; 3] {
        self.cards
    }
    fn num_blocks(&self) -> usize {
        self.blocks.len()
    }
    fn block_len(&self, b: usize) -> usize {
        self.blocks[b].2 - self.blocks[b].1
    }
    fn visit<F: FnMut(u64, u64, u64)>(&self, b: usize, mut f: F) {
        let (r, t0, t1) = self.blocks[b];
        if self.ids.iter().all(Option::is_none) && self.vars.iter().all(|v| v.len() <= 1) {
            return self.visit_lanes(r, t0, t1, f);
        }
        let start = self.block_starts[b];
        let mut rolls: [Rolling; 3] = std::array::from_fn(|v| {
            let windows: &[Window] = if self.ids[v].is_some() {
                &[]
            } else {
                &self.vars[v]
            };
            Rolling::new(&self.series, windows, r, t0)
        });
        for (i, t) in (t0..t1).enumerate() {
            let code = |v: usize, rolls: &[Rolling; 3]| match &self.ids[v] {
                Some(ids) => ids[start + i],
                None => rolls[v].code(&self.weights[v]),
            };
            f(code(0, &rolls), code(1, &rolls), code(2, &rolls));
            if t + 1 < t1 {
                for roll in rolls.iter_mut() {
                    roll.advance(t);
                }
            }
        }
    }
}

/// One window rolled along a block: the symbols that enter and leave it at each step, as
/// slices read in order (no per-step index arithmetic or bounds checks).
struct Lane<'a> {
    ins: &'a [u8],
    outs: &'a [u8],
    base: u64,
    top: u64,
    /// 0 for a variable with no window, whose code stays 0.
    used: u64,
    code: u64,
}

impl<'a> Lane<'a> {
    fn new(series: &[&'a Series], windows: &[Window], r: usize, t0: usize, t1: usize) -> Lane<'a> {
        let Some(w) = windows.first() else {
            return Lane {
                ins: &[],
                outs: &[],
                base: 0,
                top: 0,
                used: 0,
                code: 0,
            };
        };
        let s = series[w.series].trial(r);
        let base = series[w.series].alphabet() as u64;
        let start = t0 - w.lag + 1 - w.len;
        let code = s[start..start + w.len]
            .iter()
            .fold(0u64, |c, &x| c * base + x as u64);
        Lane {
            ins: &s[t0 + 1 - w.lag..t1 - w.lag],
            outs: &s[t0 + 1 - w.lag - w.len..t1 - w.lag - w.len],
            base,
            top: base.pow(w.len as u32 - 1),
            used: 1,
            code,
        }
    }

    #[inline(always)]
    fn step(&mut self, i: usize) {
        if self.used != 0 {
            self.code =
                (self.code - self.outs[i] as u64 * self.top) * self.base + self.ins[i] as u64;
        }
    }
}

impl Embedded<'_> {
    /// `visit` when every variable is one window (or none): TE, AIS and MI without conditions,
    /// entropies. Most estimates are this, and the general roll costs three times as much.
    fn visit_lanes<F: FnMut(u64, u64, u64)>(&self, r: usize, t0: usize, t1: usize, mut f: F) {
        let lane = |v: usize| Lane::new(&self.series, &self.vars[v], r, t0, t1);
        let (mut a, mut b, mut c) = (lane(0), lane(1), lane(2));
        f(a.code, b.code, c.code);
        for i in 0..(t1 - t0 - 1) {
            a.step(i);
            b.step(i);
            c.step(i);
            f(a.code, b.code, c.code);
        }
    }
}

pub(crate) fn no_window(what: &str, e: &Embedded) -> CmechError {
    let longest = e.series.first().map_or(0, longest_trial);
    no_window_at(what, e.offset, longest)
}

pub(crate) fn no_window_at(what: &str, offset: usize, longest: usize) -> CmechError {
    bad(format!(
        "{what} needs {offset} symbols before its first complete window, but the longest trial \
         has {longest}: no complete window"
    ))
}

pub(crate) fn longest_trial(s: &&Series) -> usize {
    s.trial_lengths().into_iter().max().unwrap_or(0)
}

impl Query {
    /// Steps at the start of a trial before its first complete observation.
    pub fn offset(&self) -> usize {
        self.x
            .iter()
            .chain(&self.y)
            .chain(&self.z)
            .map(|w| (w.lag + w.len).saturating_sub(1))
            .max()
            .unwrap_or(0)
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
        if self.k == 0 {
            return Err(bad("the target history k must be at least 1"));
        }
        if self.l == 0 {
            return Err(bad("the source history l must be at least 1"));
        }
        if self.delay == 0 {
            return Err(bad("the source-target delay must be at least 1"));
        }
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
    if k == 0 {
        return Err(bad("the history length k must be at least 1"));
    }
    Ok(())
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
