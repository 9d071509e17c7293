//! What a reconstruction reports besides the machine, and what the data support: the
//! Marton-Shields bound on the history length, the entropy rate it rests on, the message when a
//! history is too long, and the law a state count that keeps growing follows.

use serde::{Deserialize, Deserializer, Serialize};

use super::fit::{Fit, WordTables};
use super::{Method, ReconstructOptions, Score, Selection, Test};
use crate::counts::CountTable;
use crate::entropy;
use crate::error::{CmechError, Result};

/// Serialises a number that may be infinite (a log-likelihood of impossible data) as JSON's null.
pub(super) fn finite_or_null<S: serde::Serializer>(
    x: &f64,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    if x.is_finite() {
        s.serialize_f64(*x)
    } else {
        s.serialize_none()
    }
}

/// Reads back a log-likelihood written by [`finite_or_null`]: null is minus infinity.
pub(super) fn null_as_minus_infinity<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NEG_INFINITY))
}

/// Reads back a score written by [`finite_or_null`]: null is infinity.
pub(super) fn null_as_infinity<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
}

/// The longest history `n` symbols support at entropy rate `h` by the Marton-Shields bound
/// L <= log2 N / h (`None` when `h` is 0: any length).
pub(super) fn supported_history(n: u64, h: f64) -> Option<usize> {
    (h > 1e-9).then(|| ((n as f64).log2() / h).floor() as usize)
}

/// The entropy rate estimated from the counts alone, as the block-entropy difference
/// H(l + 1) - H(l) at the longest l whose words are well sampled (16 symbols or more for every
/// possible word of length l + 1), for messages when no machine could be fitted.
pub(super) fn estimated_entropy_rate(counts: &WordTables) -> f64 {
    let block = |len: usize| {
        let words = &counts.by_len[len - 1];
        let total = words.total().max(1) as f64;
        entropy::entropy(words.iter().map(|(_, c)| c as f64 / total))
    };
    let n = counts.by_len[0].total() as f64;
    let longest = counts.by_len.len() - 1;
    if longest == 0 {
        return block(1);
    }
    let l = (1..=longest)
        .rev()
        .find(|&l| (counts.k as f64).powi(l as i32 + 1) * 16.0 <= n)
        .unwrap_or(1);
    (block(l + 1) - block(l)).max(0.0)
}

/// Why no machine was found at history length `l`: too long a history for the data.
pub(super) fn history_too_long(counts: &WordTables, l: usize) -> CmechError {
    let n = counts.by_len[0].total();
    let h = estimated_entropy_rate(counts);
    let message = match supported_history(n, h) {
        Some(bound) if l > bound => format!(
            "no recurrent state was found at history length {l}: {n} symbols do not support \
             histories that long (Marton-Shields: L <= log2 N / h = {bound} at an estimated \
             entropy rate of {h:.3}); use a maximum history length of at most {bound}"
        ),
        Some(bound) => format!(
            "no recurrent state was found at history length {l}: {n} symbols are too few for \
             histories that long (the Marton-Shields bound log2 N / h = {bound} at an estimated \
             entropy rate of {h:.3} is an upper limit; reliable statistics need shorter ones); \
             use a shorter maximum history length"
        ),
        None => format!(
            "no recurrent state was found at history length {l}: {n} symbols are too few for \
             histories that long; use a shorter maximum history length"
        ),
    };
    CmechError::InvalidArgument(message)
}

/// The fewest times, as a share of the alphabet's size, that the histories of a length which
/// occur must be seen on average for their next-symbol distributions to be told apart: below
/// it the tests' tables are mostly empty cells, and chi-square on such tables splits on noise
/// (independent symbols over 300 tokens gave 801 states at L = 2). A share, not a count, so that
/// small alphabets, whose histories are each seen at least once, are never refused by it.
const MIN_SEEN_PER_SYMBOL: f64 = 1.0 / 16.0;

/// Refuses a history length `l` at which the histories that occur are seen too few times each
/// for an alphabet of `counts.k` symbols (see [`MIN_SEEN_PER_SYMBOL`]), before any fit: the
/// Marton-Shields bound rests on the entropy rate alone, and lets a large alphabet through at
/// lengths where the fit takes minutes and finds states in noise.
pub(super) fn check_histories_sampled(counts: &WordTables, l: usize) -> Result<()> {
    let k = counts.k as f64;
    let seen = |len: usize| {
        let words = &counts.by_len[len - 1];
        let distinct = words.iter().count().max(1);
        (words.total() as f64 / distinct as f64, distinct)
    };
    let (mean, distinct) = seen(l);
    if mean >= k * MIN_SEEN_PER_SYMBOL {
        return Ok(());
    }
    let advice = match (1..l).rev().find(|&j| seen(j).0 >= k * MIN_SEEN_PER_SYMBOL) {
        Some(j) => format!("use a maximum history length of at most {j}"),
        None => "no history length is supported: give more data".into(),
    };
    Err(CmechError::InvalidArgument(format!(
        "{} symbols are too few for histories of length {l} over {k} symbols: the {distinct} \
         histories that occur are seen {mean:.1} times each on average, and telling apart \
         next-symbol distributions over {k} symbols needs at least {:.1}; {advice}",
        counts.by_len[0].total(),
        k * MIN_SEEN_PER_SYMBOL
    )))
}

/// What a reconstruction found besides the machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    /// The method that fitted the machine (in a selection, the chosen candidate's; CSSR for the
    /// independent-symbols machine).
    pub method: Method,
    /// The history length L of the machine (in a selection, the chosen candidate's).
    pub max_history: usize,
    /// The significance level of the tests that split states (in a selection, the chosen
    /// candidate's: 0 for the independent-symbols machine).
    pub alpha: f64,
    /// The test that split states (chi-square in a selection).
    pub test: Test,
    /// Symbols counted, over all sequences: the sample size N.
    pub symbols: u64,
    /// Sequences counted (those with at least one symbol).
    pub sequences: u64,
    /// States before transient ones were dropped.
    pub states_total: usize,
    /// States of the returned machine (its heaviest recurrent class, minimised).
    pub recurrent_states: usize,
    /// States dropped: transient, or outside the heaviest recurrent class.
    pub transient_states: usize,
    /// Share of the counted histories of length L that fall in the returned machine's states.
    pub recurrent_mass: f64,
    /// Statistical complexity and entropy rate (bits) of the returned machine.
    pub c_mu: f64,
    /// Entropy rate of the returned machine, bits per symbol.
    pub h_mu: f64,
    /// Log-likelihood (bits) of the data under the machine: of every symbol, started from the
    /// stationary distribution (see [`Score`]); minus infinity (JSON null) when the machine gives
    /// some observed word probability zero. For a transducer: of the counted outputs given the
    /// inputs, under the synchronised histories' predictions.
    #[serde(
        serialize_with = "finite_or_null",
        deserialize_with = "null_as_minus_infinity"
    )]
    pub log_likelihood: f64,
    /// Minus the log-likelihood per symbol (bits; `None` for a transducer).
    pub log_loss: Option<f64>,
    /// Occurrences of symbols that the machine gives probability zero where they occurred.
    pub impossible: u64,
    /// (L, recurrent states) for every history length up to the maximum.
    pub states_by_history: Vec<(usize, usize)>,
    /// True when there are more states at L than at L/2: a sign of structure that no finite
    /// history captures, or that needs histories longer than L.
    pub still_growing: bool,
    /// How the state count grows with L, when it is still growing: no finite machine was found.
    pub growth: Option<Growth>,
    /// The entropy rate (bits) estimated from block entropies of the counts alone, on which the
    /// supported history length rests (for a transducer: the fitted joint entropy rate).
    pub entropy_rate_estimate: f64,
    /// The longest history the sample supports by the Marton-Shields bound L <= log2 N / h.
    pub supported_history: Option<usize>,
    /// How the machine was chosen, when the reconstruction selected it.
    pub selection: Option<Selection>,
    /// What the user should know about the result (a history longer than the data support, a
    /// state count that keeps growing), one line each.
    pub warnings: Vec<String>,
}

/// A law fitted to the number of states by history length, for a count that keeps growing (as at
/// the onset of chaos, where period doubling never stops): states ~ a * rate^L (exponential) or
/// states ~ a * L^exponent (polynomial), whichever fits log(states) better by least squares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Growth {
    /// "exponential" or "polynomial".
    pub law: String,
    /// The growth factor per unit of L (exponential) or the exponent (polynomial).
    pub rate: f64,
    /// The prefactor a.
    pub prefactor: f64,
    /// Coefficient of determination of the fit in log(states).
    pub r_squared: f64,
    /// The finding in words.
    pub statement: String,
}

/// Least squares of y on x: (slope, intercept, r^2).
fn least_squares(points: &[(f64, f64)]) -> (f64, f64, f64) {
    let n = points.len() as f64;
    let (mx, my) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), &(x, y)| (a + x / n, b + y / n));
    let sxx: f64 = points.iter().map(|&(x, _)| (x - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|&(x, y)| (x - mx) * (y - my)).sum();
    let syy: f64 = points.iter().map(|&(_, y)| (y - my).powi(2)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let r2 = if syy > 0.0 && sxx > 0.0 {
        (sxy * sxy) / (sxx * syy)
    } else {
        1.0
    };
    (slope, my - slope * mx, r2)
}

impl Growth {
    /// The law of the states by history length from the first length with more than one state
    /// on (`None` with fewer than three such lengths).
    pub(super) fn fit(states_by_history: &[(usize, usize)]) -> Option<Growth> {
        let pts: Vec<(f64, f64)> = states_by_history
            .iter()
            .filter(|&&(_, s)| s > 1)
            .map(|&(l, s)| (l as f64, (s as f64).ln()))
            .collect();
        if pts.len() < 3 {
            return None;
        }
        let (b, a, r2_exp) = least_squares(&pts);
        let logs: Vec<(f64, f64)> = pts.iter().map(|&(l, y)| (l.ln(), y)).collect();
        let (e, c, r2_pow) = least_squares(&logs);
        let (law, rate, prefactor, r_squared) = if r2_exp >= r2_pow {
            ("exponential", b.exp(), a.exp(), r2_exp)
        } else {
            ("polynomial", e, c.exp(), r2_pow)
        };
        let (first, last) = (
            states_by_history[0],
            states_by_history[states_by_history.len() - 1],
        );
        let statement = format!(
            "no finite machine was found: the states grow from {} at L = {} to {} at L = {}, \
             {law}ly ({}, r^2 = {r_squared:.3})",
            first.1,
            first.0,
            last.1,
            last.0,
            if law == "exponential" {
                format!("about {prefactor:.3} x {rate:.3}^L")
            } else {
                format!("about {prefactor:.3} x L^{rate:.3}")
            }
        );
        Some(Growth {
            law: law.into(),
            rate,
            prefactor,
            r_squared,
            statement,
        })
    }
}

impl Diagnostics {
    /// The diagnostics of `fit`, whose machine has complexity `c_mu` and entropy rate `h_mu`,
    /// on histories of entropy rate `h_histories` (which bounds the history length supported).
    pub(super) fn new(
        opts: &ReconstructOptions,
        table: &CountTable,
        fit: &Fit,
        states_by_history: Vec<(usize, usize)>,
        c_mu: f64,
        h_mu: f64,
        h_histories: f64,
    ) -> Diagnostics {
        let n = table.symbols();
        let supported_history = supported_history(n, h_histories);
        // Growth over the upper half of the history lengths: a finite machine has stopped
        // changing there once L is twice the length it needs, while period doubling (whose
        // counts double at ever wider intervals of L) still shows.
        let half = states_by_history[(opts.max_history - 1) / 2].1;
        let still_growing = opts.max_history >= 4 && fit.class.len() > half;
        let mut warnings = Vec::new();
        if let Some(bound) = supported_history {
            if opts.max_history > bound {
                warnings.push(format!(
                    "max history {} exceeds what {n} symbols support at entropy rate {h_histories:.3} \
                     (Marton-Shields: L <= log2 N / h = {bound}); long-history statistics are \
                     unreliable",
                    opts.max_history
                ));
            }
        }
        if still_growing {
            warnings.push(format!(
                "the number of states keeps growing with the history length ({}): the process \
                 may have no finite epsilon-machine, or need longer histories than L = {}",
                states_by_history
                    .iter()
                    .map(|(l, s)| format!("L={l}: {s}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                opts.max_history
            ));
        }
        Diagnostics {
            method: opts.method,
            max_history: opts.max_history,
            alpha: opts.alpha,
            test: opts.test,
            symbols: n,
            sequences: table.sequences(),
            states_total: fit.states_total,
            recurrent_states: fit.class.len(),
            transient_states: fit.states_total - fit.class.len(),
            recurrent_mass: fit.recurrent_mass,
            c_mu,
            h_mu,
            log_likelihood: fit.log_likelihood,
            log_loss: None,
            impossible: 0,
            growth: still_growing
                .then(|| Growth::fit(&states_by_history))
                .flatten(),
            states_by_history,
            still_growing,
            entropy_rate_estimate: h_histories,
            supported_history,
            selection: None,
            warnings,
        }
    }

    /// Takes the log-likelihood from a score of the machine on all the data.
    pub(super) fn scored(&mut self, score: &Score) {
        self.log_likelihood = score.log_likelihood;
        self.log_loss = Some(score.log_loss());
        self.impossible = score.impossible;
    }
}
