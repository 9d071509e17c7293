//! Level statistics: what an observer knows after each word length, averaged over the words of
//! that length ([`level_statistics`]), computed level by level over merged beliefs in parallel
//! chunks and shards, bit-identical for any number of threads.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::identify::quantise;
use super::{normalise_snapped, BELIEF_RESOLUTION};
use crate::entropy::entropy;
use crate::presentation::Hmm;

/// What an observer knows after `L` symbols, averaged over words of length `L`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelStatistics {
    /// `H[X_L | X_{0:L}]`, the entropy of the next symbol given the word so far.
    pub next_symbol_entropy: f64,
    /// `H[S_L | X_{0:L}]`, the remaining uncertainty in the hidden state.
    pub state_entropy: f64,
    /// Distinct beliefs at this level.
    pub beliefs: usize,
}

/// Beliefs of one word length, stored flat (`n` components each) with their probabilities, and
/// indexed by their quantised form so that equal beliefs reached by different words are merged.
struct Level {
    n: usize,
    weights: Vec<f64>,
    beliefs: Vec<f64>,
    index: FxHashMap<Box<[i64]>, usize>,
}

impl Level {
    fn new(n: usize) -> Level {
        Level {
            n,
            weights: Vec::new(),
            beliefs: Vec::new(),
            index: FxHashMap::default(),
        }
    }

    fn len(&self) -> usize {
        self.weights.len()
    }

    fn belief(&self, k: usize) -> &[f64] {
        &self.beliefs[k * self.n..(k + 1) * self.n]
    }

    fn add(&mut self, weight: f64, belief: &[f64], key: &[i64]) {
        match self.index.get(key) {
            Some(&k) => self.weights[k] += weight,
            None => {
                self.index.insert(key.into(), self.weights.len());
                self.weights.push(weight);
                self.beliefs.extend_from_slice(belief);
            }
        }
    }
}

/// What one chunk of a level contributes: its share of the two entropies and, in order, its
/// successor beliefs with their weights and keys.
#[derive(Default)]
struct ChunkOutput {
    h_next: f64,
    h_state: f64,
    weights: Vec<f64>,
    beliefs: Vec<f64>,
    keys: Vec<i64>,
    /// Indices of the successors that fall in each shard of the next level.
    by_shard: Vec<Vec<u32>>,
}

/// The next level is built in this many independent shards, a belief's shard fixed by its key.
const SHARDS: usize = 16;

fn shard_of(key: &[i64]) -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    key.hash(&mut h);
    // The high bits: FxHash mixes poorly into its low ones.
    (h.finish() >> 58) as usize % SHARDS
}

/// Beliefs per chunk of parallel work. Fixed, so that sums are taken in the same order, and results
/// are bit-identical, whatever the number of threads.
const CHUNK: usize = 4096;

fn expand_chunk(
    hmm: &Hmm,
    level: &Level,
    range: std::ops::Range<usize>,
    expand: bool,
) -> ChunkOutput {
    let (n, k) = (hmm.num_states(), hmm.num_symbols());
    let mut out = ChunkOutput {
        by_shard: vec![Vec::new(); SHARDS],
        ..ChunkOutput::default()
    };
    let mut rows = vec![0.0; k * n];
    let mut px = vec![0.0; k];
    for b in range {
        let (w, belief) = (level.weights[b], level.belief(b));
        rows.iter_mut().for_each(|v| *v = 0.0);
        for (i, &mu) in belief.iter().enumerate() {
            if mu > 0.0 {
                for e in hmm.edges(i) {
                    rows[e.symbol * n + e.to] += mu * e.p;
                }
            }
        }
        for x in 0..k {
            px[x] = rows[x * n..(x + 1) * n].iter().sum();
        }
        out.h_next += w * entropy(px.iter().copied());
        out.h_state += w * entropy(belief.iter().copied());
        if !expand {
            continue;
        }
        for x in 0..k {
            if px[x] > 0.0 {
                let row = &mut rows[x * n..(x + 1) * n];
                normalise_snapped(row, px[x]);
                let j = out.weights.len();
                out.weights.push(w * px[x]);
                out.beliefs.extend_from_slice(row);
                out.keys
                    .extend(row.iter().map(|p| (p / BELIEF_RESOLUTION).round() as i64));
                out.by_shard[shard_of(&out.keys[j * n..])].push(j as u32);
            }
        }
    }
    out
}

/// Most belief components (beliefs times states) held at one depth: bounds memory to about 128 MiB a
/// level whatever the number of states.
pub const MAX_BELIEF_COMPONENTS: usize = 1 << 24;

/// Level-by-level statistics of beliefs started from a weighted set of beliefs (their weights summing
/// to one), for words of length 0 up to `max_depth`. Stops early, returning fewer levels, when the
/// next level could hold more than `budget` distinct beliefs (or more than [`MAX_BELIEF_COMPONENTS`]
/// numbers).
pub fn level_statistics(
    hmm: &Hmm,
    initial: &[(f64, Vec<f64>)],
    max_depth: usize,
    budget: usize,
) -> Vec<LevelStatistics> {
    level_statistics_until(hmm, initial, max_depth, budget, |_, _| false)
}

/// [`level_statistics`] that also stops after the first level `(length, statistics)` for which
/// `settled` holds: a sum that has converged need not pay for the deeper levels, which hold the
/// most beliefs.
pub fn level_statistics_until(
    hmm: &Hmm,
    initial: &[(f64, Vec<f64>)],
    max_depth: usize,
    budget: usize,
    settled: impl Fn(usize, &LevelStatistics) -> bool,
) -> Vec<LevelStatistics> {
    let n = hmm.num_states();
    let k = hmm.num_symbols();
    let budget = budget.min(MAX_BELIEF_COMPONENTS / n);
    let mut level = Level::new(n);
    for (w, b) in initial {
        level.add(*w, b, &quantise(b.iter().copied()));
    }
    let mut stats = Vec::new();
    for depth in 0..=max_depth {
        let last = depth == max_depth || level.len() * k > budget;
        let chunks: Vec<ChunkOutput> = (0..level.len().div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                expand_chunk(
                    hmm,
                    &level,
                    c * CHUNK..((c + 1) * CHUNK).min(level.len()),
                    !last,
                )
            })
            .collect();
        let (h_next, h_state) = chunks
            .iter()
            .fold((0.0, 0.0), |(a, b), c| (a + c.h_next, b + c.h_state));
        // Each shard merges its beliefs in chunk order, so every weight is summed in the same
        // order whatever the number of threads.
        let shards: Vec<Level> = (0..SHARDS)
            .into_par_iter()
            .map(|s| {
                let mut shard = Level::new(n);
                for chunk in &chunks {
                    for &j in &chunk.by_shard[s] {
                        let j = j as usize;
                        shard.add(
                            chunk.weights[j],
                            &chunk.beliefs[j * n..(j + 1) * n],
                            &chunk.keys[j * n..(j + 1) * n],
                        );
                    }
                }
                shard
            })
            .collect();
        drop(chunks);
        let mut next = Level::new(n);
        for shard in shards {
            next.weights.extend(shard.weights);
            next.beliefs.extend(shard.beliefs);
        }
        let here = LevelStatistics {
            next_symbol_entropy: h_next,
            state_entropy: h_state,
            beliefs: level.len(),
        };
        let done = settled(depth, &here);
        stats.push(here);
        if last || done {
            break;
        }
        level = next;
    }
    stats
}
