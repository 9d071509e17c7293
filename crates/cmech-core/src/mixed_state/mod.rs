//! Mixed states: an observer's belief (distribution over hidden states) after seeing a word.
//!
//! The mixed-state presentation (MSP) of a presentation started in a distribution `eta` has one state
//! per distinct belief `Pr(S_L | X_{0:L} = w, S_0 ~ eta)`. It is unifilar by construction, so it is how
//! a nonunifilar presentation is determinised and how synchronisation is measured.
//!
//! The parts: `identify` says when two beliefs are one (the resolution, the basis of futures, the
//! keys beliefs are indexed by), `explore` builds the mixed-state presentation breadth-first, and
//! `levels` averages what an observer knows over the words of each length. What the three share
//! is here: the step from one belief to the next, and the check that a belief is a distribution.

mod explore;
mod identify;
mod levels;

use crate::entropy::entropy;
use crate::error::{CmechError, Result};
use crate::presentation::Hmm;

pub use explore::{
    ExploreLimits, MixedStatePresentation, MspEdge, Stop, DEFAULT_RESOLUTION, NO_SYMBOL,
};
pub use identify::{FutureBasis, Identify, BELIEF_RESOLUTION, BELIEF_SNAP};
pub use levels::{
    level_statistics, level_statistics_until, LevelStatistics, MAX_BELIEF_COMPONENTS,
};

/// The successor beliefs of `belief`: for every symbol that can occur, its probability and the
/// normalised belief after it.
pub fn successors(hmm: &Hmm, belief: &[f64]) -> Vec<(usize, f64, Vec<f64>)> {
    let n = hmm.num_states();
    let mut next: Vec<Option<Vec<f64>>> = vec![None; hmm.num_symbols()];
    for (i, &mu) in belief.iter().enumerate() {
        if mu == 0.0 {
            continue;
        }
        for e in hmm.edges(i) {
            next[e.symbol].get_or_insert_with(|| vec![0.0; n])[e.to] += mu * e.p;
        }
    }
    next.into_iter()
        .enumerate()
        .filter_map(|(x, v)| {
            let mut v = v?;
            let p: f64 = v.iter().sum();
            if p <= 0.0 {
                return None;
            }
            normalise_snapped(&mut v, p);
            Some((x, p, v))
        })
        .collect()
}

/// Divides by `total`, zeroes components below [`BELIEF_SNAP`] and renormalises.
fn normalise_snapped(v: &mut [f64], total: f64) {
    let mut kept = 0.0;
    for q in v.iter_mut() {
        *q /= total;
        if *q < BELIEF_SNAP {
            *q = 0.0;
        }
        kept += *q;
    }
    v.iter_mut().for_each(|q| *q /= kept);
}

/// Entropy of the next symbol under a belief.
pub fn next_symbol_entropy(hmm: &Hmm, belief: &[f64]) -> f64 {
    let mut px = vec![0.0; hmm.num_symbols()];
    for (i, &mu) in belief.iter().enumerate() {
        if mu > 0.0 {
            for e in hmm.edges(i) {
                px[e.symbol] += mu * e.p;
            }
        }
    }
    entropy(px)
}

/// Checks that `belief` is a distribution over `n` states.
pub fn check_belief(belief: &[f64], n: usize) -> Result<()> {
    if belief.len() != n {
        return Err(CmechError::InvalidArgument(format!(
            "a belief over {n} states needs {n} components, not {}",
            belief.len()
        )));
    }
    if let Some((i, p)) = belief
        .iter()
        .enumerate()
        .find(|(_, p)| !(p.is_finite() && **p >= 0.0))
    {
        return Err(CmechError::InvalidArgument(format!(
            "belief component {i} is {p}: components must be non-negative numbers"
        )));
    }
    let total: f64 = belief.iter().sum();
    if (total - 1.0).abs() > 1e-9 {
        return Err(CmechError::InvalidArgument(format!(
            "belief components sum to {total}, not 1"
        )));
    }
    Ok(())
}
