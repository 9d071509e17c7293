//! The parametric bootstrap of a reconstructed machine: samples as long as the data drawn from
//! the machine, each reconstructed by the same default selection and measured. Their spread is
//! the uncertainty of the machine's measures as estimates of the process's, and their state
//! counts show how sure the structure is. Where h(L) converges slowly (infinite Markov order:
//! the Even process, RRXOR) the block entropies' h_mu carries a bias no resampling of words can
//! see, while a machine that captured the structure measures it exactly.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::entropy::Cache;
use super::{
    asked_length, compare_rates, entropy_table, z_of, Data, EstimateOptions, Estimates, Interval,
    Resampling,
};
use crate::counts::CountTable;
use crate::error::{CmechError, Result};
use crate::measures::{measures, MeasureOptions};
use crate::presentation::Hmm;
use crate::reconstruct::{select, Reconstruction, SelectOptions};
use crate::sample::{Sampler, Start};

/// Replicates of the parametric bootstrap by default.
pub const DEFAULT_MACHINE_REPLICATES: usize = 200;

/// A reconstructed machine's measures as estimates of the process's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MachineEstimates {
    /// States of the machine.
    pub states: usize,
    /// C_mu of the machine, with the spread of the replicates' C_mu.
    pub statistical_complexity: Interval,
    /// h_mu of the machine, likewise.
    pub entropy_rate: Interval,
    /// E of the machine, likewise, the interval widened to the bounds the exact side knows E
    /// within when it is approached (`None` when it could not compute it).
    pub excess_entropy: Option<Interval>,
    /// (states, replicates whose machine has that many), by states.
    pub state_counts: Vec<(usize, usize)>,
    /// Replicates reconstructed.
    pub replicates: usize,
    /// Seed of the replicates' samples.
    pub seed: u64,
    /// How the values were obtained, in words.
    pub method: String,
    /// The data's block entropies, h_mu and E, with intervals from the same replicates: beside
    /// the word bootstrap's for data, and the only intervals counts can have.
    pub block_entropies: Estimates,
}

/// One replicate: its machine's states, C_mu, h_mu and E, and its H(0..=usable).
type Replicate = (usize, f64, f64, Option<f64>, Vec<f64>);

/// A value with the bounds the exact side knows it within.
type Bounded = (f64, [f64; 2]);

/// The measures (C_mu, h_mu, E with the bounds the exact side knows it within) of a machine.
fn three(machine: &Hmm) -> Result<(f64, f64, Option<Bounded>)> {
    let m = measures(machine, &MeasureOptions::default())?;
    let c = m.statistical_complexity.value.ok_or_else(|| {
        CmechError::Unsupported("the machine's statistical complexity is unknown".into())
    })?;
    let h = m
        .entropy_rate
        .value
        .ok_or_else(|| CmechError::Unsupported("the machine's entropy rate is unknown".into()))?;
    // An approached E is known only within its bounds (RRXOR's fitted machine, whose
    // probabilities are not exactly 1/2 and 1, never synchronises exactly: E approached to depth
    // 41 is 2.5e-4 bits below its upper bound, more than the replicates' spread).
    let e = &m.excess_entropy;
    Ok((c, h, e.value.map(|v| (v, e.bounds.unwrap_or([v, v])))))
}

/// The machine of `sequences` (symbols indexing `alphabet`), reconstructed by the default
/// selection, with its measures' intervals and the block entropies' from [`machine_bootstrap`].
/// `progress` is told of each replicate done.
pub fn estimate_machine(
    sequences: &[Vec<u32>],
    alphabet: &[String],
    opts: &EstimateOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Reconstruction, MachineEstimates)> {
    opts.check()?;
    let select_opts = SelectOptions::default();
    let mut table = CountTable::new(alphabet.len().max(1), select_opts.window(alphabet.len()))?;
    for s in sequences {
        table.add_sequence(s)?;
    }
    let fit = select(&table, alphabet.to_vec(), &select_opts)?;
    let words = entropy_table(sequences, alphabet.len(), opts.max_length)?;
    let lengths: Vec<usize> = sequences.iter().map(Vec::len).filter(|&n| n > 0).collect();
    let bootstrap = machine_bootstrap(
        &fit.machine,
        &lengths,
        &words,
        words.window(),
        opts,
        progress,
    )?;
    Ok((fit, bootstrap))
}

/// The machine of the counts `table` (of data over `alphabet`), reconstructed by the default
/// selection, with intervals from [`machine_bootstrap`]: counts do not hold the data in order,
/// so the machine's samples are the only resampling they allow. The replicates' sequences
/// share the table's symbols equally.
pub fn estimate_counts(
    table: &CountTable,
    alphabet: &[String],
    opts: &EstimateOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Reconstruction, MachineEstimates)> {
    opts.check()?;
    if opts.machine_replicates == 0 {
        return Err(CmechError::OutOfRange {
            parameter: "machine_replicates",
            value: "0".into(),
            rule: "at least 2 for counts, which hold the data out of order: only samples of \
                   their machine can resample them",
        });
    }
    if let Some(b) = opts.block {
        return Err(CmechError::OutOfRange {
            parameter: "block",
            value: b.to_string(),
            rule: "left out for counts (they hold no order for a bootstrap of words; their \
                   intervals come from samples of their machine)",
        });
    }
    if table.symbols() == 0 {
        return Err(CmechError::InvalidArgument(
            "no symbols to estimate from".into(),
        ));
    }
    let fit = select(table, alphabet.to_vec(), &SelectOptions::default())?;
    let sequences = table.sequences().max(1);
    let lengths: Vec<usize> = (0..sequences)
        .map(|i| {
            (table.symbols() / sequences + u64::from(i < table.symbols() % sequences)) as usize
        })
        .filter(|&n| n > 0)
        .collect();
    let longest = asked_length(table.alphabet_size(), opts.max_length)?;
    let bootstrap = machine_bootstrap(&fit.machine, &lengths, table, longest, opts, progress)?;
    Ok((fit, bootstrap))
}

/// The parametric bootstrap of `machine`, reconstructed from data of sequences of `lengths`
/// symbols whose counts are `data`: `opts.machine_replicates` samples of the same lengths, from
/// `opts.seed`, each reconstructed with the default selection and measured, and its block
/// entropies up to `longest` estimated as the data's are; intervals at `opts.level`.
/// `progress` is told of each replicate done.
pub fn machine_bootstrap(
    machine: &Hmm,
    lengths: &[usize],
    data: &CountTable,
    longest: usize,
    opts: &EstimateOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<MachineEstimates> {
    let replicates = opts.machine_replicates;
    if replicates < 2 {
        return Err(CmechError::OutOfRange {
            parameter: "machine_replicates",
            value: replicates.to_string(),
            rule: "at least 2",
        });
    }
    let z = z_of(opts.level)?;
    let (c, h, e) = three(machine)?;
    let k = machine.alphabet().len();
    let names = machine.alphabet().to_vec();
    let words = Data::new(data, longest, opts)?;
    let select_opts = SelectOptions::default();
    let window = select_opts.window(k);
    let reps: Vec<Replicate> = (0..replicates)
        .into_par_iter()
        .map_init(Cache::default, |cache, r| {
            let mut table = CountTable::new(k, window)?;
            let mut blocks = CountTable::new(k, words.usable)?;
            for (i, &len) in lengths.iter().enumerate() {
                let s = replicate_seed(opts.seed, r as u64, i as u64);
                let seq: Vec<u32> = Sampler::new(machine, s, Start::Stationary)?
                    .take(len)
                    .map(|x| x as u32)
                    .collect();
                table.add_sequence(&seq)?;
                blocks.add_sequence(&seq)?;
            }
            let fit = select(&table, names.clone(), &select_opts)?;
            let (c, h, e) = three(&fit.machine)?;
            let hs = words.replicate(&blocks, opts.estimator, cache)?;
            progress(1);
            Ok((fit.machine.num_states(), c, h, e.map(|e| e.0), hs))
        })
        .collect::<Result<_>>()?;
    // The spread by the interquartile range (a normal's is 1.349 standard deviations), not the
    // standard deviation: now and then a replicate's reconstruction goes wrong (RRXOR from 10^4
    // symbols: 4 of 50 give 15 to 99 states where the rest give 5), and one such C_mu would
    // widen the interval to [0.6, 3.9] bits; the state counts report those replicates instead.
    let sd = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        let q = |p: f64| {
            let at = p * (v.len() - 1) as f64;
            let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
            v[lo] + (v[hi] - v[lo]) * (at - lo as f64)
        };
        (q(0.75) - q(0.25)) / 1.349
    };
    let cs: Vec<f64> = reps.iter().map(|r| r.1).collect();
    let hs: Vec<f64> = reps.iter().map(|r| r.2).collect();
    let es: Vec<f64> = reps.iter().filter_map(|r| r.3).collect();
    let mut state_counts: Vec<(usize, usize)> = Vec::new();
    let mut states: Vec<usize> = reps.iter().map(|r| r.0).collect();
    states.sort_unstable();
    for s in states {
        match state_counts.last_mut() {
            Some((v, n)) if *v == s => *n += 1,
            _ => state_counts.push((s, 1)),
        }
    }
    let block_reps: Vec<Vec<f64>> = reps.into_iter().map(|r| r.4).collect();
    let mut block_entropies = words.summarise(
        &block_reps,
        opts,
        Resampling::Machine {
            states: machine.num_states(),
        },
    )?;
    let entropy_rate = Interval::new(h, sd(&hs), z);
    // The block estimates against the machine's, as the data's words are.
    compare_rates(&mut block_entropies, entropy_rate);
    Ok(MachineEstimates {
        states: machine.num_states(),
        statistical_complexity: Interval::new(c, sd(&cs), z),
        entropy_rate,
        excess_entropy: e.filter(|_| es.len() >= 2).map(|(e, [lo, hi])| {
            let se = sd(&es);
            let i = Interval::new(e, se, z);
            Interval {
                lower: i.lower.min(lo - z * se),
                upper: i.upper.max(hi + z * se),
                ..i
            }
        }),
        state_counts,
        replicates,
        seed: opts.seed,
        method: format!(
            "exact measures of the machine; intervals value +- {z:.3} standard errors (the \
             interquartile range / 1.349) of {replicates} machines reconstructed (default \
             selection) from samples of the machine as long as the data"
        ),
        block_entropies,
    })
}

/// The sampling seed of sequence `i` of replicate `r`: splitmix64 of the three, so that nearby
/// seeds give unrelated samples.
fn replicate_seed(seed: u64, r: u64, i: u64) -> u64 {
    let mut z = seed
        .wrapping_add(r.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(i.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
