//! The parametric bootstrap of a reconstructed machine: samples as long as the data drawn from
//! the machine, each reconstructed by the same default selection and measured. Their spread is
//! the uncertainty of the machine's measures as estimates of the process's, and their state
//! counts show how sure the structure is. Where h(L) converges slowly (infinite Markov order:
//! the Even process, RRXOR) the block entropies' h_mu carries a bias no resampling of words can
//! see, while a machine that captured the structure measures it exactly.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{z_of, Interval};
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
    /// E of the machine, likewise (`None` when the exact side could not compute it).
    pub excess_entropy: Option<Interval>,
    /// (states, replicates whose machine has that many), by states.
    pub state_counts: Vec<(usize, usize)>,
    /// Replicates reconstructed.
    pub replicates: usize,
    /// Seed of the replicates' samples.
    pub seed: u64,
    /// How the values were obtained, in words.
    pub method: String,
}

/// The measures (C_mu, h_mu, E) of a machine.
fn three(machine: &Hmm) -> Result<(f64, f64, Option<f64>)> {
    let m = measures(machine, &MeasureOptions::default())?;
    let c = m.statistical_complexity.value.ok_or_else(|| {
        CmechError::Unsupported("the machine's statistical complexity is unknown".into())
    })?;
    let h = m
        .entropy_rate
        .value
        .ok_or_else(|| CmechError::Unsupported("the machine's entropy rate is unknown".into()))?;
    Ok((c, h, m.excess_entropy.value))
}

/// The machine of `sequences` (symbols indexing `alphabet`), reconstructed by the default
/// selection, with its measures' intervals from [`machine_bootstrap`].
pub fn estimate_machine(
    sequences: &[Vec<u32>],
    alphabet: &[String],
    level: f64,
    replicates: usize,
    seed: u64,
) -> Result<(Reconstruction, MachineEstimates)> {
    let opts = SelectOptions::default();
    let mut table = CountTable::new(alphabet.len().max(1), opts.window(alphabet.len()))?;
    for s in sequences {
        table.add_sequence(s)?;
    }
    let fit = select(&table, alphabet.to_vec(), &opts)?;
    let lengths: Vec<usize> = sequences.iter().map(Vec::len).filter(|&n| n > 0).collect();
    let bootstrap = machine_bootstrap(&fit.machine, &lengths, level, replicates, seed)?;
    Ok((fit, bootstrap))
}

/// The parametric bootstrap of `machine`, reconstructed from data of sequences of `lengths`
/// symbols: `replicates` samples of the same lengths, from `seed`, each reconstructed with the
/// default selection; intervals at `level`.
pub fn machine_bootstrap(
    machine: &Hmm,
    lengths: &[usize],
    level: f64,
    replicates: usize,
    seed: u64,
) -> Result<MachineEstimates> {
    if replicates < 2 {
        return Err(CmechError::OutOfRange {
            parameter: "machine_replicates",
            value: replicates.to_string(),
            rule: "at least 2",
        });
    }
    let z = z_of(level)?;
    let (c, h, e) = three(machine)?;
    let k = machine.alphabet().len();
    let names = machine.alphabet().to_vec();
    let select_opts = SelectOptions::default();
    let window = select_opts.window(k);
    let reps: Vec<(usize, f64, f64, Option<f64>)> = (0..replicates)
        .into_par_iter()
        .map(|r| {
            let mut table = CountTable::new(k, window)?;
            for (i, &len) in lengths.iter().enumerate() {
                let s = replicate_seed(seed, r as u64, i as u64);
                let seq: Vec<u32> = Sampler::new(machine, s, Start::Stationary)?
                    .take(len)
                    .map(|x| x as u32)
                    .collect();
                table.add_sequence(&seq)?;
            }
            let fit = select(&table, names.clone(), &select_opts)?;
            let (c, h, e) = three(&fit.machine)?;
            Ok((fit.machine.num_states(), c, h, e))
        })
        .collect::<Result<_>>()?;
    let sd = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1).max(1) as f64).sqrt()
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
    Ok(MachineEstimates {
        states: machine.num_states(),
        statistical_complexity: Interval::new(c, sd(&cs), z),
        entropy_rate: Interval::new(h, sd(&hs), z),
        excess_entropy: e
            .filter(|_| es.len() >= 2)
            .map(|e| Interval::new(e, sd(&es), z)),
        state_counts,
        replicates,
        seed,
        method: format!(
            "exact measures of the machine; intervals value +- {z:.3} standard deviations of \
             {replicates} machines reconstructed (default selection) from samples of the \
             machine as long as the data"
        ),
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
