//! Mixed states: an observer's belief (distribution over hidden states) after seeing a word.
//!
//! The mixed-state presentation (MSP) of a presentation started in a distribution `eta` has one state
//! per distinct belief `Pr(S_L | X_{0:L} = w, S_0 ~ eta)`. It is unifilar by construction, so it is how
//! a nonunifilar presentation is determinised and how synchronisation is measured.

use hashbrown::HashTable;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::{CmechError, Result};
use crate::info::entropy;
use crate::presentation::{Edge, Hmm};

/// Beliefs closer than this in every component are the same belief.
pub const BELIEF_RESOLUTION: f64 = 1e-13;
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
    /// The basis for `hmm`, by Gram-Schmidt on the future vectors: from the all-ones vector, each
    /// vector that adds a direction is kept and multiplied by every symbol's matrix in turn, so at
    /// most one vector per state is kept and the search ends.
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

/// How far to explore a mixed-state presentation, and when two beliefs are one node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExploreLimits {
    /// Deepest word length whose beliefs are reached (`None`: explore until the MSP closes or
    /// another limit stops it).
    pub max_depth: Option<usize>,
    /// Stop once the words of the last depth that reach beliefs never seen before carry less
    /// probability than this (0: never stop for this reason).
    pub min_new_mass: f64,
    /// Most nodes held. A node is only expanded when all its successors fit, so every expanded
    /// node has all its edges.
    pub max_nodes: usize,
    /// Beliefs whose coordinates round to the same multiple of this are one node. Beliefs within
    /// a tenth of it of a rounding boundary are also matched across it, so beliefs equal up to
    /// rounding noise are never split.
    pub resolution: f64,
}

impl ExploreLimits {
    /// Explore until the presentation closes, holding at most `max_nodes` nodes.
    pub fn closure(max_nodes: usize) -> ExploreLimits {
        ExploreLimits {
            max_depth: None,
            min_new_mass: 0.0,
            max_nodes,
            resolution: BELIEF_RESOLUTION,
        }
    }
}

/// Default resolution of explorations a user asks for. Finer than [`BELIEF_RESOLUTION`]: Mess3
/// at depth 14 has distinct beliefs 5e-14 apart, and rounding noise (a few 1e-16) stays well
/// inside the boundary band of a 1e-14 grid.
pub const DEFAULT_RESOLUTION: f64 = 1e-14;

impl Default for ExploreLimits {
    fn default() -> Self {
        ExploreLimits {
            resolution: DEFAULT_RESOLUTION,
            ..ExploreLimits::closure(1 << 24)
        }
    }
}

/// Why an exploration stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// Every node is expanded: the presentation is closed (finite), and complete.
    Closed,
    /// The depth limit was reached; the nodes of the last depth are not expanded.
    Depth,
    /// The probability newly reached at the last depth fell below the tolerance.
    Tolerance,
    /// The node limit was reached, possibly part-way through a depth.
    NodeLimit,
}

/// An edge of the mixed-state presentation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MspEdge {
    /// Index of the symbol in the presentation's alphabet.
    pub symbol: u32,
    /// Index of the successor node.
    pub to: u32,
    /// Probability of the symbol given the node's belief.
    pub p: f64,
}

/// The mixed-state presentation explored breadth-first from a start belief.
///
/// Nodes are kept in breadth-first order, the start first, so their depths never decrease and
/// the expanded nodes are a prefix of them. Held per node: its belief (`n` numbers), probability,
/// depth and the symbol it was first reached by; per expanded node its edges (16 bytes each);
/// and a hash index of four bytes a node. Nothing is kept per word.
#[derive(Debug, Clone)]
pub struct MixedStatePresentation {
    n: usize,
    beliefs: Vec<f64>,
    probabilities: Vec<f64>,
    depths: Vec<u32>,
    arrivals: Vec<u32>,
    edge_start: Vec<usize>,
    edges: Vec<MspEdge>,
    new_mass: Vec<f64>,
    stop: Stop,
}

/// Marks the start node, which no symbol reached.
pub const NO_SYMBOL: u32 = u32::MAX;

/// Rounded coordinates of beliefs, with the components that lie close to a rounding boundary.
struct Keyer<'a> {
    identify: Identify<'a>,
    inv_resolution: f64,
}

/// A fraction of the resolution this close to a boundary between two rounding cells is ambiguous.
const BOUNDARY: f64 = 0.1;
/// At most this many ambiguous components are tried both ways (2^this lookups).
const MAX_FLIPS: usize = 4;

impl Keyer<'_> {
    /// Calls `f` with each coordinate of `belief`, divided by the resolution.
    fn for_each_scaled(&self, belief: &[f64], mut f: impl FnMut(usize, f64)) {
        let s = self.inv_resolution;
        match self.identify {
            Identify::Distribution => belief.iter().enumerate().for_each(|(i, p)| f(i, p * s)),
            Identify::Prediction(basis) => basis
                .coordinates(belief)
                .enumerate()
                .for_each(|(i, c)| f(i, c * s)),
        }
    }

    /// The key of a belief and the components whose rounding could have gone the other way (the
    /// direction to try), at most [`MAX_FLIPS`] of them.
    fn key(&self, belief: &[f64], key: &mut Vec<i64>, flips: &mut Vec<(u32, i64)>) {
        key.clear();
        flips.clear();
        self.for_each_scaled(belief, |i, s| {
            let k = s.round();
            let frac = s - k;
            if frac.abs() > 0.5 - BOUNDARY && flips.len() < MAX_FLIPS {
                flips.push((i as u32, if frac > 0.0 { 1 } else { -1 }));
            }
            key.push(k as i64);
        });
    }

    fn matches(&self, belief: &[f64], key: &[i64]) -> bool {
        let mut same = true;
        self.for_each_scaled(belief, |i, s| same &= s.round() as i64 == key[i]);
        same
    }

    fn hash_of(&self, belief: &[f64]) -> u64 {
        let (mut k, mut f) = (Vec::new(), Vec::new());
        self.key(belief, &mut k, &mut f);
        hash_key(&k)
    }
}

fn hash_key(key: &[i64]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    key.hash(&mut h);
    h.finish()
}

/// Successors of a batch of nodes, computed in parallel and inserted in order.
#[derive(Default)]
struct Successors {
    /// Per node of the batch, the end of its successors in the arrays below.
    ends: Vec<usize>,
    symbols: Vec<u32>,
    probabilities: Vec<f64>,
    beliefs: Vec<f64>,
    keys: Vec<i64>,
    flips: Vec<Vec<(u32, i64)>>,
}

/// Frontier nodes expanded per batch: bounds the memory of pending successors.
const BATCH: usize = 1 << 16;
/// Nodes per parallel task within a batch.
const TASK: usize = 1024;

impl MixedStatePresentation {
    /// Explores the beliefs reached from `start` by every word, breadth-first, within `limits`;
    /// beliefs are identified as `identify` says.
    pub fn explore(
        hmm: &Hmm,
        start: &[f64],
        limits: &ExploreLimits,
        identify: Identify,
    ) -> Result<MixedStatePresentation> {
        let n = hmm.num_states();
        check_belief(start, n)?;
        if !(limits.resolution > 0.0 && limits.resolution.is_finite()) {
            return Err(CmechError::InvalidArgument(format!(
                "belief resolution must be a positive number, not {}",
                limits.resolution
            )));
        }
        if !(0.0..1.0).contains(&limits.min_new_mass) {
            return Err(CmechError::InvalidArgument(format!(
                "the tolerance on newly reached probability must be in [0, 1), not {}",
                limits.min_new_mass
            )));
        }
        if limits.max_nodes == 0 {
            return Err(CmechError::InvalidArgument(
                "the node limit must be at least 1".into(),
            ));
        }
        let keyer = Keyer {
            identify,
            inv_resolution: 1.0 / limits.resolution,
        };
        let dim = match identify {
            Identify::Distribution => n,
            Identify::Prediction(b) => b.dimension(),
        };
        let mut msp = MixedStatePresentation {
            n,
            beliefs: start.to_vec(),
            probabilities: vec![1.0],
            depths: vec![0],
            arrivals: vec![NO_SYMBOL],
            edge_start: vec![0],
            edges: Vec::new(),
            new_mass: vec![1.0],
            stop: Stop::Closed,
        };
        let mut index: HashTable<u32> = HashTable::new();
        let (mut key, mut flips) = (Vec::new(), Vec::new());
        keyer.key(start, &mut key, &mut flips);
        index.insert_unique(hash_key(&key), 0, |_| unreachable!("empty table"));

        let mut mass: Vec<(u32, f64)> = vec![(0, 1.0)];
        let mut acc: Vec<f64> = Vec::new();
        let mut touched_flag: Vec<bool> = Vec::new();
        let mut level_start = 0usize;
        let mut depth = 0usize;
        loop {
            let level_end = msp.len();
            if level_start == level_end {
                msp.stop = Stop::Closed;
                break;
            }
            if limits.max_depth == Some(depth) {
                msp.stop = Stop::Depth;
                break;
            }
            if depth > 0 && msp.new_mass[depth] < limits.min_new_mass {
                msp.stop = Stop::Tolerance;
                break;
            }
            // Room for every successor of this depth up front: growing the index re-hashes
            // every node, and re-hashing computes keys afresh.
            let room = ((level_end - level_start) * hmm.num_symbols())
                .min(limits.max_nodes.saturating_sub(level_end));
            {
                let (beliefs, keyer) = (&msp.beliefs, &keyer);
                index.reserve(room, |&j| {
                    keyer.hash_of(&beliefs[j as usize * n..(j as usize + 1) * n])
                });
            }
            let mut limit_hit = false;
            let mut first = level_start;
            while first < level_end && !limit_hit {
                let last = (first + BATCH).min(level_end);
                let parts: Vec<Successors> = (first..last)
                    .step_by(TASK)
                    .collect::<Vec<_>>()
                    .into_par_iter()
                    .map(|a| msp.successors_of(hmm, &keyer, a..(a + TASK).min(last)))
                    .collect();
                'batch: for part in &parts {
                    let mut from = 0;
                    for &end in &part.ends {
                        if msp.len() + (end - from) > limits.max_nodes {
                            limit_hit = true;
                            break 'batch;
                        }
                        for j in from..end {
                            let key = &part.keys[j * dim..(j + 1) * dim];
                            let to = msp.find_or_insert(
                                &mut index,
                                &keyer,
                                key,
                                &part.flips[j],
                                &part.beliefs[j * n..(j + 1) * n],
                                (depth + 1) as u32,
                                part.symbols[j],
                            );
                            msp.edges.push(MspEdge {
                                symbol: part.symbols[j],
                                to,
                                p: part.probabilities[j],
                            });
                        }
                        msp.edge_start.push(msp.edges.len());
                        from = end;
                    }
                }
                first = last;
            }

            // The probability of each node at the next depth, through the expanded nodes.
            let total = msp.len();
            acc.resize(total, 0.0);
            touched_flag.resize(total, false);
            let mut touched: Vec<u32> = Vec::new();
            let expanded = msp.expanded();
            for &(node, m) in &mass {
                if (node as usize) < expanded {
                    for e in msp.edges(node as usize) {
                        let t = e.to as usize;
                        if !touched_flag[t] {
                            touched_flag[t] = true;
                            touched.push(e.to);
                        }
                        acc[t] += m * e.p;
                    }
                }
            }
            let mut new = 0.0;
            let mut next = Vec::with_capacity(touched.len());
            for &t in &touched {
                let t = t as usize;
                if t >= level_end {
                    msp.probabilities[t] = acc[t];
                    new += acc[t];
                }
                next.push((t as u32, acc[t]));
                acc[t] = 0.0;
                touched_flag[t] = false;
            }
            msp.new_mass.push(new);
            mass = next;
            level_start = level_end;
            depth += 1;
            if limit_hit {
                msp.stop = Stop::NodeLimit;
                break;
            }
        }
        Ok(msp)
    }

    fn successors_of(&self, hmm: &Hmm, keyer: &Keyer, nodes: std::ops::Range<usize>) -> Successors {
        let (n, k) = (self.n, hmm.num_symbols());
        let mut out = Successors::default();
        let mut rows = vec![0.0; k * n];
        let (mut key, mut flips) = (Vec::new(), Vec::new());
        for node in nodes {
            rows.iter_mut().for_each(|v| *v = 0.0);
            for (i, &mu) in self.belief(node).iter().enumerate() {
                if mu > 0.0 {
                    for e in hmm.edges(i) {
                        rows[e.symbol * n + e.to] += mu * e.p;
                    }
                }
            }
            for x in 0..k {
                let row = &mut rows[x * n..(x + 1) * n];
                let p: f64 = row.iter().sum();
                if p > 0.0 {
                    normalise_snapped(row, p);
                    keyer.key(row, &mut key, &mut flips);
                    out.symbols.push(x as u32);
                    out.probabilities.push(p);
                    out.beliefs.extend_from_slice(row);
                    out.keys.extend_from_slice(&key);
                    out.flips.push(if flips.is_empty() {
                        Vec::new()
                    } else {
                        flips.clone()
                    });
                }
            }
            out.ends.push(out.symbols.len());
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn find_or_insert(
        &mut self,
        index: &mut HashTable<u32>,
        keyer: &Keyer,
        key: &[i64],
        flips: &[(u32, i64)],
        belief: &[f64],
        depth: u32,
        symbol: u32,
    ) -> u32 {
        let n = self.n;
        let beliefs = &self.beliefs;
        let stored = |i: u32| &beliefs[i as usize * n..(i as usize + 1) * n];
        if let Some(&i) = index.find(hash_key(key), |&i| keyer.matches(stored(i), key)) {
            return i;
        }
        if !flips.is_empty() {
            let mut alt = key.to_vec();
            for mask in 1u32..(1 << flips.len()) {
                alt.copy_from_slice(key);
                for (b, &(i, d)) in flips.iter().enumerate() {
                    if mask >> b & 1 == 1 {
                        alt[i as usize] += d;
                    }
                }
                if let Some(&i) = index.find(hash_key(&alt), |&i| keyer.matches(stored(i), &alt)) {
                    return i;
                }
            }
        }
        let i = self.len() as u32;
        self.beliefs.extend_from_slice(belief);
        self.probabilities.push(0.0);
        self.depths.push(depth);
        self.arrivals.push(symbol);
        let (beliefs, n) = (&self.beliefs, self.n);
        index.insert_unique(hash_key(key), i, |&j| {
            let mut k = Vec::new();
            keyer.key(
                &beliefs[j as usize * n..(j as usize + 1) * n],
                &mut k,
                &mut Vec::new(),
            );
            hash_key(&k)
        });
        i
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.depths.len()
    }

    /// Never true: the start is always a node.
    pub fn is_empty(&self) -> bool {
        self.depths.is_empty()
    }

    /// Hidden states of the presentation (components of each belief).
    pub fn num_states(&self) -> usize {
        self.n
    }

    /// The belief of node `k`.
    pub fn belief(&self, k: usize) -> &[f64] {
        &self.beliefs[k * self.n..(k + 1) * self.n]
    }

    /// All beliefs, row after row (`len() x num_states()`).
    pub fn beliefs(&self) -> &[f64] {
        &self.beliefs
    }

    /// Probability that the observer's belief is node `k` after `depth(k)` symbols: the total
    /// probability of the words of that length that lead to it.
    pub fn probabilities(&self) -> &[f64] {
        &self.probabilities
    }

    /// The depth at which each node is first reached.
    pub fn depths(&self) -> &[u32] {
        &self.depths
    }

    /// The symbol by which each node was first reached ([`NO_SYMBOL`] for the start).
    pub fn arrivals(&self) -> &[u32] {
        &self.arrivals
    }

    /// Number of expanded nodes (the first ones): those whose edges are known.
    pub fn expanded(&self) -> usize {
        self.edge_start.len() - 1
    }

    /// Outgoing edges of node `k` (empty when it is not expanded).
    pub fn edges(&self, k: usize) -> &[MspEdge] {
        if k < self.expanded() {
            &self.edges[self.edge_start[k]..self.edge_start[k + 1]]
        } else {
            &[]
        }
    }

    /// For each depth d (from 0), the probability of the words of length d that reach a belief
    /// not seen at any smaller depth.
    pub fn new_mass(&self) -> &[f64] {
        &self.new_mass
    }

    /// Why the exploration stopped.
    pub fn stop(&self) -> Stop {
        self.stop
    }

    /// Whether every node is expanded: the presentation is finite and complete.
    pub fn is_closed(&self) -> bool {
        self.stop == Stop::Closed
    }

    /// The explored MSP as a (unifilar) presentation; a process only when closed.
    pub fn to_hmm(&self, hmm: &Hmm) -> Hmm {
        let edges = (0..self.len())
            .map(|k| {
                self.edges(k)
                    .iter()
                    .map(|e| Edge {
                        symbol: e.symbol as usize,
                        to: e.to as usize,
                        p: e.p,
                    })
                    .collect()
            })
            .collect();
        Hmm::from_parts(
            format!("{} (mixed states)", hmm.name()),
            hmm.alphabet().to_vec(),
            (0..self.len()).map(|i| format!("m{i}")).collect(),
            edges,
        )
    }
}

impl MixedStatePresentation {
    /// The recurrent part of a closed MSP as a presentation (for a unifilar presentation, its
    /// epsilon-machine up to merging states with identical futures).
    pub fn recurrent_part(&self, hmm: &Hmm) -> Result<Hmm> {
        if !self.is_closed() {
            return Err(CmechError::Unsupported(format!(
                "the mixed-state presentation of '{}' did not close ({} nodes, stopped: {:?}): it \
                 has no recurrent part to return",
                hmm.name(),
                self.len(),
                self.stop
            )));
        }
        let det = self.to_hmm(hmm);
        Ok(det.restrict(&det.recurrent_class()?))
    }
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
