//! Queries and the observations they make of series: windows read as codes in base `alphabet`,
//! rolled along each trial rather than rebuilt, handed to the counting engine by blocks. Every
//! estimate counts through this.

use super::engine::Observations;
use super::{bad, Series};
use crate::error::{CmechError, Result};

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
