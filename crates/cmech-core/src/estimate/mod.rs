//! Estimates of a process's information measures from a sample of it, each with a confidence
//! interval: block entropies H(L), the entropy-rate estimates h(L) = H(L) - H(L-1) and the
//! finite-length excess entropies E(L) = H(L) - L h(L), then h_mu and E at a length the data
//! choose.
//!
//! Values come from the counts of all overlapping words, by a bias-correcting [`Estimator`];
//! intervals are value +- z SE, with the standard error from a stationary block bootstrap of the
//! series of word indices ([`bootstrap`]; the mean block length chosen by Politis & White unless
//! given). Percentile intervals are not used: they sit around the biased plug-in distribution and
//! miss (11% coverage for h_mu at 10^3 symbols of the golden mean), while a bias-corrected value
//! with the bootstrap's spread covers as it says.
//!
//! Lengths are used only while the data support them: at length L the words seen must have at
//! least two observations each on average; beyond, every estimator is dominated by the words
//! never seen, and the lengths asked for are cut with a warning naming the usable one.
//!
//! The length of h_mu is the shortest L whose h(L) no longer length can tell apart, the
//! difference to each longer well-sampled h(L') (ten observations a word) within z times its
//! bootstrap standard error (the replicates are paired, so the difference's spread is measured,
//! not guessed): beyond it the data show no more structure, and a longer L only adds variance.
//! E is E(L) at that length. Where h(L) converges slowly (infinite Markov order) this h_mu keeps
//! a bias the bootstrap cannot see; the reconstructed machine's h_mu ([`machine_bootstrap`])
//! does not.
//!
//! Beside them, h_mu by context-tree weighting ([`Ctw`], [`CtwRate`]), which weighs every
//! context length up to the longest usable one instead of choosing one; and counts, which hold
//! no order to resample, get their intervals from samples of their machine
//! ([`estimate_counts`]).

pub mod bootstrap;
mod ctw;
mod entropy;
mod machine;
mod nsb;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::counts::CountTable;
use crate::draw::stream;
use crate::error::{at_least_one, CmechError, Result};
pub use ctw::Ctw;
use entropy::Cache;
pub use entropy::Estimator;
pub use machine::{
    estimate_counts, estimate_machine, machine_bootstrap, MachineEstimates,
    DEFAULT_MACHINE_REPLICATES,
};

/// The longest words considered when no length is given.
pub const DEFAULT_MAX_LENGTH: usize = 16;
/// Bootstrap replicates by default.
pub const DEFAULT_REPLICATES: usize = 1000;
/// The most bootstrap replicates: each holds its block entropies until the spreads are taken,
/// and beyond 10^6 a standard error changes in its fourth digit at most.
pub const MAX_REPLICATES: usize = 1_000_000;
/// The most machine replicates: each is a reconstruction (seconds on text).
pub const MAX_MACHINE_REPLICATES: usize = 100_000;
/// Confidence level of the intervals by default.
pub const DEFAULT_LEVEL: f64 = 0.95;
/// Observations per distinct word from which a length takes part in choosing h_mu's: with
/// fewer, the words never seen bias h(L) down by more than its bootstrap spread, and a longer
/// length would look like more structure.
const WELL_SAMPLED: u64 = 10;
/// The estimator used when none is named.
pub const DEFAULT_ESTIMATOR: Estimator = Estimator::Grassberger;

/// What to estimate and how.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimateOptions {
    /// The longest word length (`None`: the longest the data support, at most
    /// [`DEFAULT_MAX_LENGTH`]).
    pub max_length: Option<usize>,
    /// How each H(L) is estimated from its counts.
    pub estimator: Estimator,
    /// Confidence level of the intervals, in (0, 1).
    pub level: f64,
    /// Bootstrap replicates (at least 2).
    pub replicates: usize,
    /// Seed of the bootstrap: the same seed gives the same intervals for any number of threads.
    pub seed: u64,
    /// Mean block length of the bootstrap, in words (`None`: chosen by Politis & White).
    pub block: Option<f64>,
    /// Replicates of the parametric bootstrap of the reconstructed machine ([`estimate_machine`];
    /// 0: no machine, else at least 2).
    pub machine_replicates: usize,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        EstimateOptions {
            max_length: None,
            estimator: DEFAULT_ESTIMATOR,
            level: DEFAULT_LEVEL,
            replicates: DEFAULT_REPLICATES,
            seed: 0,
            block: None,
            machine_replicates: DEFAULT_MACHINE_REPLICATES,
        }
    }
}

impl EstimateOptions {
    /// Checks the options before any data is read.
    pub fn check(&self) -> Result<()> {
        if let Some(l) = self.max_length {
            at_least_one("max_length", l)?;
        }
        if !(self.level > 0.0 && self.level < 1.0) {
            return Err(CmechError::OutOfRange {
                parameter: "level",
                value: self.level.to_string(),
                rule: "in (0, 1)",
            });
        }
        if !(2..=MAX_REPLICATES).contains(&self.replicates) {
            return Err(CmechError::OutOfRange {
                parameter: "replicates",
                value: self.replicates.to_string(),
                rule: "from 2 to 1000000",
            });
        }
        if self.machine_replicates == 1 || self.machine_replicates > MAX_MACHINE_REPLICATES {
            return Err(CmechError::OutOfRange {
                parameter: "machine_replicates",
                value: self.machine_replicates.to_string(),
                rule: "0 (no machine) or from 2 to 100000",
            });
        }
        if let Some(b) = self.block {
            if !(b >= 1.0 && b.is_finite()) {
                return Err(CmechError::OutOfRange {
                    parameter: "block",
                    value: b.to_string(),
                    rule: "a number at least 1",
                });
            }
        }
        Ok(())
    }
}

/// A value with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The estimate, in bits.
    pub value: f64,
    /// Lower end of the interval.
    pub lower: f64,
    /// Upper end of the interval.
    pub upper: f64,
    /// The bootstrap standard error.
    pub std_error: f64,
}

impl Interval {
    fn new(value: f64, std_error: f64, z: f64) -> Interval {
        Interval {
            value,
            lower: value - z * std_error,
            upper: value + z * std_error,
            std_error,
        }
    }
}

/// The estimates at one word length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtLength {
    /// The word length L.
    pub length: usize,
    /// Words of length L counted (overlapping, within sequences).
    pub words: u64,
    /// Distinct words of length L seen.
    pub distinct: usize,
    /// H(L).
    pub block_entropy: Interval,
    /// h(L) = H(L) - H(L-1).
    pub entropy_rate: Interval,
    /// E(L) = H(L) - L h(L).
    pub excess_entropy: Interval,
}

/// Where the replicates that give the intervals' standard errors come from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Resampling {
    /// A stationary block bootstrap of the data's word indices.
    Words {
        /// Mean block length, in words.
        mean_block: f64,
        /// Whether `mean_block` was chosen from the data (Politis & White).
        mean_block_chosen: bool,
    },
    /// Samples of the reconstructed machine as long as the data (the parametric bootstrap):
    /// the only resampling counts allow, since they do not hold the data in order.
    Machine {
        /// States of the machine sampled.
        states: usize,
    },
}

/// Estimates of a sample's block entropies, entropy rate and excess entropy, with intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimates {
    /// How each H(L) was estimated.
    pub estimator: Estimator,
    /// Confidence level of the intervals.
    pub level: f64,
    /// Bootstrap replicates.
    pub replicates: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Where the intervals' replicates come from.
    pub resampling: Resampling,
    /// Symbols in the sample.
    pub symbols: u64,
    /// Sequences in the sample.
    pub sequences: u64,
    /// Letters of the alphabet.
    pub alphabet: usize,
    /// The estimates at lengths 1..=the longest usable.
    pub lengths: Vec<AtLength>,
    /// h_mu: h(L) at `rate_length`.
    pub entropy_rate: Interval,
    /// E: E(L) at `rate_length`.
    pub excess_entropy: Interval,
    /// The length at which h_mu and E are read.
    pub rate_length: usize,
    /// How the values were obtained, in words.
    pub method: String,
    /// h_mu by context-tree weighting, an estimator that chooses no word length (`None` for
    /// counts, which hold no order to code).
    pub ctw: Option<CtwRate>,
    /// What the user should know (lengths cut for want of data, a constant stream).
    pub warnings: Vec<String>,
}

/// h_mu by context-tree weighting ([`Ctw`]): the mean code length of the data, each symbol
/// coded from the contexts before it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CtwRate {
    /// The longest context weighed: the longest usable word length.
    pub depth: usize,
    /// Symbols coded (each sequence's first `depth` symbols are context only).
    pub coded: u64,
    /// The mean code length in bits a symbol. Its interval is the sampling spread of that mean
    /// (batch means of the code lengths); the estimate itself lies above h_mu by CTW's model
    /// cost, which shrinks like log2(n) / n.
    pub entropy_rate: Interval,
}

/// Estimates from `sequences` of symbols `0..alphabet`, their intervals from the stationary
/// block bootstrap of word indices.
pub fn estimate(
    sequences: &[Vec<u32>],
    alphabet: usize,
    opts: &EstimateOptions,
) -> Result<Estimates> {
    opts.check()?;
    let table = entropy_table(sequences, alphabet, opts.max_length)?;
    let data = Data::new(&table, table.window(), opts)?;
    let (k, usable) = (data.k, data.usable);
    let words = bootstrap::Words::new(sequences, k, usable)?;
    let counts = words.counts();
    let (mean_block, chosen) = match opts.block {
        Some(b) => (b, false),
        None => (bootstrap::politis_white(&words.surprisals(&counts)), true),
    };
    let estimator = opts.estimator;
    let reps: Vec<Vec<f64>> = (0..opts.replicates)
        .into_par_iter()
        .map_init(
            || (Cache::default(), vec![0u64; counts.len()], Vec::new()),
            |(cache, counts, marginal), r| {
                let mut rng = stream(opts.seed, r as u64);
                words.resample(mean_block, &mut rng, counts);
                let mut hs = vec![0.0];
                for l in 1..=usable {
                    words.marginal(counts, l, marginal);
                    hs.push(estimator.entropy(marginal, (k as f64).powi(l as i32), cache));
                }
                hs
            },
        )
        .collect();
    let mut est = data.summarise(
        &reps,
        opts,
        Resampling::Words {
            mean_block,
            mean_block_chosen: chosen,
        },
    )?;
    est.ctw = ctw_rate(sequences, k, usable, z_of(opts.level)?)?;
    Ok(est)
}

/// The counts of `sequences` up to the length `max_length` asks for (the longest the data
/// support by default), checked to fit.
pub(crate) fn entropy_table(
    sequences: &[Vec<u32>],
    alphabet: usize,
    max_length: Option<usize>,
) -> Result<CountTable> {
    if sequences.iter().all(Vec::is_empty) {
        return Err(CmechError::InvalidArgument(
            "no symbols to estimate from".into(),
        ));
    }
    let k = alphabet.max(1);
    let asked = asked_length(k, max_length)?
        .min(sequences.iter().map(Vec::len).max().unwrap_or(0))
        .max(1);
    let mut table = CountTable::new(k, asked)?;
    for s in sequences {
        table.add_sequence(s)?;
    }
    Ok(table)
}

/// The distinct words of each length 1..=`longest` of `table`: (words counted, their counts).
fn word_counts(table: &CountTable, longest: usize) -> Result<Vec<(u64, Vec<u64>)>> {
    Ok(table
        .counts_from(1)?
        .iter()
        .take(longest)
        .map(|w| (w.total(), w.iter().map(|(_, c)| c).collect()))
        .collect())
}

/// H(0..=`longest`) of `counted` by `estimator`, for `k` letters.
fn block_entropies(
    counted: &[(u64, Vec<u64>)],
    longest: usize,
    k: usize,
    estimator: Estimator,
    cache: &mut Cache,
) -> Vec<f64> {
    let mut h = vec![0.0];
    for (l, (_, c)) in counted.iter().enumerate().take(longest) {
        h.push(estimator.entropy(c, (k as f64).powi(l as i32 + 1), cache));
    }
    h
}

/// What the data's own counts give: the words of each length, the lengths they support and
/// the block entropies there.
pub(crate) struct Data {
    k: usize,
    symbols: u64,
    sequences: u64,
    counted: Vec<(u64, Vec<u64>)>,
    /// The longest length whose words were seen twice each on average.
    pub(crate) usable: usize,
    /// H(0..=usable).
    h: Vec<f64>,
    warnings: Vec<String>,
}

impl Data {
    /// The values of `table`'s counts, up to `longest` or its window.
    pub(crate) fn new(table: &CountTable, longest: usize, opts: &EstimateOptions) -> Result<Data> {
        let k = table.alphabet_size();
        let asked = longest.min(table.window()).max(1);
        let counted = word_counts(table, asked)?;
        let mut warnings = Vec::new();
        if let Some(l) = opts.max_length.filter(|&l| l > asked) {
            warnings.push(format!(
                "words of {l} symbols were asked for, but the data reach words of {asked} only"
            ));
        }
        let usable = counted
            .iter()
            .take_while(|(n, c)| *n > 0 && 2 * c.len() as u64 <= *n)
            .count()
            .max(1);
        if usable < asked && opts.max_length.is_some() {
            warnings.push(format!(
                "too little data for words of {asked} symbols: the longest usable length is \
                 {usable} (beyond it the words seen have fewer than 2 observations each)"
            ));
        }
        if counted[0].1.len() <= 1 {
            warnings.push(
                "the data hold one symbol only: every entropy is exactly 0, with no uncertainty"
                    .into(),
            );
        }
        let h = block_entropies(&counted, usable, k, opts.estimator, &mut Cache::default());
        Ok(Data {
            k,
            symbols: table.symbols(),
            sequences: table.sequences(),
            counted,
            usable,
            h,
            warnings,
        })
    }

    /// H(0..=usable) of a replicate's counts, as the data's are estimated.
    pub(crate) fn replicate(
        &self,
        table: &CountTable,
        estimator: Estimator,
        cache: &mut Cache,
    ) -> Result<Vec<f64>> {
        let counted = word_counts(table, self.usable)?;
        Ok(block_entropies(
            &counted,
            self.usable,
            self.k,
            estimator,
            cache,
        ))
    }

    /// The estimates, with standard errors from `reps` (each H(0..=usable) of one replicate)
    /// drawn by `resampling`.
    pub(crate) fn summarise(
        self,
        reps: &[Vec<f64>],
        opts: &EstimateOptions,
        resampling: Resampling,
    ) -> Result<Estimates> {
        let z = z_of(opts.level)?;
        let Data {
            k,
            symbols,
            sequences,
            counted,
            usable,
            h,
            mut warnings,
        } = self;
        let spread = |f: &dyn Fn(&[f64]) -> f64| -> f64 {
            let v: Vec<f64> = reps.iter().map(|r| f(r)).collect();
            let m = v.iter().sum::<f64>() / v.len() as f64;
            (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1).max(1) as f64).sqrt()
        };
        let rate = |hs: &[f64], l: usize| hs[l] - hs[l - 1];
        let excess = |hs: &[f64], l: usize| hs[l] - l as f64 * (hs[l] - hs[l - 1]);
        let lengths: Vec<AtLength> = (1..=usable)
            .map(|l| AtLength {
                length: l,
                words: counted[l - 1].0,
                distinct: counted[l - 1].1.len(),
                block_entropy: Interval::new(h[l], spread(&|r| r[l]), z),
                entropy_rate: Interval::new(rate(&h, l), spread(&|r| rate(r, l)), z),
                excess_entropy: Interval::new(excess(&h, l), spread(&|r| excess(r, l)), z),
            })
            .collect();
        // Where the words are seen often enough that what bias the estimator leaves is well
        // below the spread: the lengths that choose h_mu's.
        let sure = counted
            .iter()
            .take(usable)
            .take_while(|(n, c)| WELL_SAMPLED * c.len() as u64 <= *n)
            .count()
            .max(1);
        let rate_length = (1..=sure)
            .find(|&l| {
                (l + 1..=sure).all(|m| {
                    let diff = (rate(&h, l) - rate(&h, m)).abs();
                    diff <= z * spread(&|r| rate(r, l) - rate(r, m))
                })
            })
            .unwrap_or(sure);
        if rate_length == sure && sure > 1 {
            warnings.push(format!(
                "h(L) was still falling at L = {sure}, the longest length with ten observations \
                 a word: the process has long memory (or too little data for it), and h_mu is \
                 likely below this h(L), which approaches it from above; the reconstructed \
                 machine's h_mu has no such bias"
            ));
        }
        let at = &lengths[rate_length - 1];
        let replicates = reps.len();
        let from = match resampling {
            Resampling::Words {
                mean_block,
                mean_block_chosen,
            } => format!(
                "a stationary block bootstrap of word indices ({replicates} replicates, mean \
                 block {mean_block:.1} words{})",
                if mean_block_chosen {
                    ", Politis-White"
                } else {
                    ""
                }
            ),
            Resampling::Machine { states } => format!(
                "{replicates} samples of the reconstructed {states}-state machine as long as the \
                 data (parametric bootstrap)"
            ),
        };
        let estimator = opts.estimator;
        Ok(Estimates {
            estimator,
            level: opts.level,
            replicates,
            seed: opts.seed,
            resampling,
            symbols,
            sequences,
            alphabet: k,
            entropy_rate: at.entropy_rate,
            excess_entropy: at.excess_entropy,
            rate_length,
            method: format!(
                "{estimator} block entropies of all overlapping words; intervals value +- {z:.3} \
                 standard errors of {from}; h_mu and E read at L = {rate_length}, the shortest \
                 length no longer one differs from"
            ),
            lengths,
            ctw: None,
            warnings,
        })
    }
}

/// Adds a warning to `words` when their h_mu and `machine`'s h_mu (from the same data) are
/// further apart than both intervals allow, naming which way and why it may be: h(L) falls to
/// h_mu from above, so a words' value above the machine's is the mark of memory longer than the
/// lengths the data resolve (the Even process, RRXOR); below it, of structure the machine lacks.
pub fn compare_with_machine(words: &mut Estimates, machine: &MachineEstimates) {
    compare_rates(words, machine.entropy_rate);
}

/// [`compare_with_machine`] given the machine's h_mu `m`.
pub(crate) fn compare_rates(words: &mut Estimates, m: Interval) {
    let w = words.entropy_rate;
    if w.lower <= m.upper && m.lower <= w.upper {
        return;
    }
    let why = if w.value > m.value {
        format!(
            "h(L) approaches h_mu from above and is likely still falling past L = {}, the \
             memory being longer than the data resolve; the machine's value accounts for it if \
             its replicates agree on its states",
            words.rate_length
        )
    } else {
        "the machine is likely missing structure the words see (its replicates' state counts \
         show how sure it is)"
            .to_string()
    };
    words.warnings.push(format!(
        "h_mu from the words, {:.4} [{:.4}, {:.4}], and the reconstructed machine's, {:.4} \
         [{:.4}, {:.4}], disagree: {why}",
        w.value, w.lower, w.upper, m.value, m.lower, m.upper
    ));
}

/// The CTW estimate of h_mu from `sequences` at `depth`, or `None` when too few symbols are
/// coded for ten batches.
fn ctw_rate(sequences: &[Vec<u32>], k: usize, depth: usize, z: f64) -> Result<Option<CtwRate>> {
    let mut tree = Ctw::new(k.max(1), depth)?;
    let mut lengths = Vec::new();
    for s in sequences {
        tree.code(s, &mut lengths)?;
    }
    let n = lengths.len();
    if n < 20 {
        return Ok(None);
    }
    // Batches long against the code lengths' dependence (the stationary bootstrap's block
    // length for their mean) and against sqrt(n), so their means are nearly independent; at
    // least ten of them.
    let batch = (bootstrap::politis_white(&lengths) * 3.0)
        .max((n as f64).sqrt())
        .ceil() as usize;
    let batch = batch.min(n / 10).max(1);
    let means: Vec<f64> = lengths
        .chunks_exact(batch)
        .map(|c| c.iter().sum::<f64>() / batch as f64)
        .collect();
    let b = means.len() as f64;
    let centre = means.iter().sum::<f64>() / b;
    let se = (means
        .iter()
        .map(|m| (m - centre) * (m - centre))
        .sum::<f64>()
        / ((b - 1.0) * b))
        .sqrt();
    Ok(Some(CtwRate {
        depth,
        coded: n as u64,
        entropy_rate: Interval::new(lengths.iter().sum::<f64>() / n as f64, se, z),
    }))
}

/// The normal quantile of a two-sided interval at `level`.
fn z_of(level: f64) -> Result<f64> {
    Normal::new(0.0, 1.0)
        .map(|n| n.inverse_cdf(0.5 + level / 2.0))
        .map_err(|e| CmechError::InvalidArgument(e.to_string()))
}

/// The longest words asked for with `k` letters: `max_length`, or the default that fits.
fn asked_length(k: usize, max_length: Option<usize>) -> Result<usize> {
    let widest = widest_length(k);
    let asked = max_length.unwrap_or(DEFAULT_MAX_LENGTH.min(widest));
    if asked > widest {
        return Err(CmechError::InvalidArgument(format!(
            "words of {asked} symbols over {k} letters do not fit 64-bit codes (at most {widest})"
        )));
    }
    Ok(asked)
}

/// The longest word length whose codes fit 64 bits for `k` letters.
fn widest_length(k: usize) -> usize {
    if k <= 1 {
        return DEFAULT_MAX_LENGTH;
    }
    let mut l = 1;
    while (k as u64).checked_pow(l as u32 + 1).is_some() {
        l += 1;
    }
    l
}
