//! Mixed states: an observer's belief (distribution over hidden states) after seeing a word.
//!
//! The mixed-state presentation (MSP) of a presentation started in a distribution `eta` has one state
//! per distinct belief `Pr(S_L | X_{0:L} = w, S_0 ~ eta)`. It is unifilar by construction, so it is how
//! a nonunifilar presentation is determinised and how synchronisation is measured.

use std::collections::HashMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::info::entropy;
use crate::presentation::{Edge, Hmm};

/// Beliefs closer than this in every component are the same belief.
const BELIEF_RESOLUTION: f64 = 1e-13;
/// Belief components below this are set to zero. Beliefs of asymptotically synchronising machines
/// approach a single state geometrically without reaching it; snapping makes them arrive, so their
/// mixed-state presentations close, at a cost in any measure of order 1e-11 bits. Snapping is coarser than the resolution
/// at which beliefs are identified, so a snapped belief is never merged into an unsnapped one.
pub const BELIEF_SNAP: f64 = 1e-12;

fn quantise(values: impl Iterator<Item = f64>) -> Vec<i64> {
    values
        .map(|p| (p / BELIEF_RESOLUTION).round() as i64)
        .collect()
}

/// An orthonormal basis of the span of the future vectors `T^(w) 1` over all words `w`. Two beliefs
/// predict the same future exactly when their coordinates in this basis agree, even when they differ
/// as distributions (states with identical futures, or linearly dependent ones).
#[derive(Debug, Clone)]
pub struct FutureBasis {
    vectors: Vec<Vec<f64>>,
}

impl FutureBasis {
    pub fn new(hmm: &Hmm) -> FutureBasis {
        let n = hmm.num_states();
        let mut vectors: Vec<Vec<f64>> = Vec::new();
        let mut queue = vec![vec![1.0; n]];
        while let Some(v) = queue.pop() {
            let mut r = v.clone();
            for q in &vectors {
                let d: f64 = r.iter().zip(q).map(|(a, b)| a * b).sum();
                r.iter_mut().zip(q).for_each(|(a, b)| *a -= d * b);
            }
            let norm = r.iter().map(|a| a * a).sum::<f64>().sqrt();
            let scale = v.iter().map(|a| a * a).sum::<f64>().sqrt();
            if norm <= 1e-9 * scale.max(1e-300) {
                continue;
            }
            vectors.push(r.iter().map(|a| a / norm).collect());
            for x in 0..hmm.num_symbols() {
                let mut w = vec![0.0; n];
                for (i, wi) in w.iter_mut().enumerate() {
                    *wi = hmm
                        .edges(i)
                        .iter()
                        .filter(|e| e.symbol == x)
                        .map(|e| e.p * v[e.to])
                        .sum();
                }
                queue.push(w);
            }
        }
        FutureBasis { vectors }
    }

    /// Number of linearly independent future vectors: at most the number of states.
    pub fn dimension(&self) -> usize {
        self.vectors.len()
    }

    /// The future of state `i`, as coordinates: states with equal coordinates have identical futures.
    pub fn state_key(&self, i: usize) -> Vec<i64> {
        quantise(self.vectors.iter().map(|q| q[i]))
    }

    fn coordinates<'a>(&'a self, belief: &'a [f64]) -> impl Iterator<Item = f64> + 'a {
        self.vectors
            .iter()
            .map(move |q| q.iter().zip(belief).map(|(a, b)| a * b).sum())
    }
}

/// How beliefs are identified while exploring.
#[derive(Debug, Clone, Copy)]
pub enum Identify<'a> {
    /// Equal as distributions over the presentation's states.
    Distribution,
    /// Equal as predictions of the future (what determinisation to the epsilon-machine needs).
    Prediction(&'a FutureBasis),
}

impl Identify<'_> {
    fn key(&self, belief: &[f64]) -> Vec<i64> {
        match self {
            Identify::Distribution => quantise(belief.iter().copied()),
            Identify::Prediction(basis) => quantise(basis.coordinates(belief)),
        }
    }
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
    pub fn explore(
        hmm: &Hmm,
        start: &[f64],
        max_states: usize,
        identify: Identify,
    ) -> MixedStatePresentation {
        let mut beliefs = vec![start.to_vec()];
        let mut index: HashMap<Vec<i64>, usize> = HashMap::from([(identify.key(start), 0)]);
        let mut edges = Vec::new();
        let mut complete = true;
        let mut k = 0;
        while k < beliefs.len() {
            let mut row = Vec::new();
            for (symbol, p, b) in successors(hmm, &beliefs[k]) {
                let kb = identify.key(&b);
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
const MAX_BELIEF_COMPONENTS: usize = 1 << 24;

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
        stats.push(LevelStatistics {
            next_symbol_entropy: h_next,
            state_entropy: h_state,
            beliefs: level.len(),
        });
        if last {
            break;
        }
        level = next;
    }
    stats
}
