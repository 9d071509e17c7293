//! The mixed-state presentation explored breadth-first: how far to go ([`ExploreLimits`]), why
//! it stopped ([`Stop`]), and the nodes and edges found ([`MixedStatePresentation`]), expanded in
//! parallel batches and indexed by the keys of `identify`.

use hashbrown::HashTable;
use rayon::prelude::*;

use super::identify::{hash_key, Keyer};
use super::{check_belief, normalise_snapped, Identify, BELIEF_RESOLUTION};
use crate::error::{CmechError, Result};
use crate::presentation::{Edge, Hmm};

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

/// The finest resolution beliefs can be told apart at: a probability's coordinates over it stay
/// within the integers a key holds exactly, and f64 tells probabilities apart to about 1e-16.
pub const MIN_RESOLUTION: f64 = 1e-15;

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
        // Beliefs are keyed by their coordinates over the resolution as 64-bit integers: finer
        // than 1e-15 the keys saturate and distinct beliefs merge (1e-30 closed Mess3 at one
        // node), and coarser than 1/2 every belief is one.
        let r = limits.resolution;
        if !(MIN_RESOLUTION..=0.5).contains(&r) {
            return Err(CmechError::OutOfRange {
                parameter: "resolution",
                value: if r != 0.0 && (r.abs() < 1e-4 || r.abs() >= 1e6) {
                    format!("{r:e}")
                } else {
                    r.to_string()
                },
                rule: "from 1e-15 to 0.5",
            });
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
