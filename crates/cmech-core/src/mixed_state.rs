//! Mixed states: an observer's belief (distribution over hidden states) after seeing a word.
//!
//! The mixed-state presentation (MSP) of a presentation started in a distribution `eta` has one state
//! per distinct belief `Pr(S_L | X_{0:L} = w, S_0 ~ eta)`. It is unifilar by construction, so it is how
//! a nonunifilar presentation is determinised and how synchronisation is measured.

use std::collections::HashMap;

use crate::info::entropy;
use crate::presentation::{Edge, Hmm};

/// Beliefs closer than this in every component are the same belief.
const BELIEF_RESOLUTION: f64 = 1e-11;

fn key(belief: &[f64]) -> Vec<i64> {
    belief
        .iter()
        .map(|p| (p / BELIEF_RESOLUTION).round() as i64)
        .collect()
}

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
            v.iter_mut().for_each(|q| *q /= p);
            Some((x, p, v))
        })
        .collect()
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

/// The mixed-state presentation explored breadth-first from a start belief.
#[derive(Debug, Clone)]
pub struct MixedStatePresentation {
    /// Beliefs, the start first, in breadth-first order.
    pub beliefs: Vec<Vec<f64>>,
    /// Outgoing edges of each belief (the successor index in `to`).
    pub edges: Vec<Vec<Edge>>,
    /// Whether exploration closed; false when it stopped at the state limit (then the last beliefs
    /// have no edges).
    pub complete: bool,
}

impl MixedStatePresentation {
    pub fn explore(hmm: &Hmm, start: &[f64], max_states: usize) -> MixedStatePresentation {
        let mut beliefs = vec![start.to_vec()];
        let mut index: HashMap<Vec<i64>, usize> = HashMap::from([(key(start), 0)]);
        let mut edges = Vec::new();
        let mut complete = true;
        let mut k = 0;
        while k < beliefs.len() {
            let mut row = Vec::new();
            for (symbol, p, b) in successors(hmm, &beliefs[k]) {
                let kb = key(&b);
                let to = match index.get(&kb) {
                    Some(&t) => t,
                    None => {
                        if beliefs.len() >= max_states {
                            complete = false;
                            continue;
                        }
                        index.insert(kb, beliefs.len());
                        beliefs.push(b);
                        beliefs.len() - 1
                    }
                };
                row.push(Edge { symbol, to, p });
            }
            edges.push(row);
            k += 1;
            if !complete {
                break;
            }
        }
        edges.resize(beliefs.len(), Vec::new());
        MixedStatePresentation {
            beliefs,
            edges,
            complete,
        }
    }

    /// The explored MSP as a (unifilar) presentation; only meaningful when `complete`.
    pub fn to_hmm(&self, hmm: &Hmm) -> Hmm {
        Hmm::from_parts(
            format!("{} (mixed states)", hmm.name()),
            hmm.alphabet().to_vec(),
            (0..self.beliefs.len()).map(|i| format!("m{i}")).collect(),
            self.edges.clone(),
        )
    }
}

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

/// Level-by-level statistics of beliefs started from a weighted set of beliefs (their weights summing
/// to one), for words of length 0 up to `max_depth`. Stops early, returning fewer levels, when a level
/// would hold more than `budget` distinct beliefs.
pub fn level_statistics(
    hmm: &Hmm,
    initial: &[(f64, Vec<f64>)],
    max_depth: usize,
    budget: usize,
) -> Vec<LevelStatistics> {
    let mut level: HashMap<Vec<i64>, (f64, Vec<f64>)> = HashMap::new();
    for (w, b) in initial {
        level.entry(key(b)).or_insert((0.0, b.clone())).0 += w;
    }
    let mut stats = Vec::new();
    for depth in 0..=max_depth {
        stats.push(LevelStatistics {
            next_symbol_entropy: level
                .values()
                .map(|(w, b)| w * next_symbol_entropy(hmm, b))
                .sum(),
            state_entropy: level.values().map(|(w, b)| w * entropy(b.iter().copied())).sum(),
            beliefs: level.len(),
        });
        if depth == max_depth {
            break;
        }
        let mut next: HashMap<Vec<i64>, (f64, Vec<f64>)> = HashMap::with_capacity(level.len() * 2);
        for (w, b) in level.values() {
            for (_, p, nb) in successors(hmm, b) {
                next.entry(key(&nb)).or_insert((0.0, nb)).0 += w * p;
            }
            if next.len() > budget {
                return stats;
            }
        }
        level = next;
    }
    stats
}
