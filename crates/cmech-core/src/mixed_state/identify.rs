//! When two beliefs are one: the resolution beliefs are identified and snapped at, the basis of
//! futures that identifies beliefs predicting alike, and the keys an exploration indexes beliefs by
//! (rounded coordinates, tried both ways near a rounding boundary).

use crate::presentation::Hmm;

/// Beliefs closer than this in every component are the same belief.
pub const BELIEF_RESOLUTION: f64 = 1e-13;
/// Belief components below this are set to zero. Beliefs of asymptotically synchronising machines
/// approach a single state geometrically without reaching it; snapping makes them arrive, so their
/// mixed-state presentations close, at a cost in any measure of order 1e-11 bits. Snapping is coarser than the resolution
/// at which beliefs are identified, so a snapped belief is never merged into an unsnapped one.
pub const BELIEF_SNAP: f64 = 1e-12;

pub(super) fn quantise(values: impl Iterator<Item = f64>) -> Vec<i64> {
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

/// Rounded coordinates of beliefs, with the components that lie close to a rounding boundary.
pub(super) struct Keyer<'a> {
    pub(super) identify: Identify<'a>,
    pub(super) inv_resolution: f64,
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
    pub(super) fn key(&self, belief: &[f64], key: &mut Vec<i64>, flips: &mut Vec<(u32, i64)>) {
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

    pub(super) fn matches(&self, belief: &[f64], key: &[i64]) -> bool {
        let mut same = true;
        self.for_each_scaled(belief, |i, s| same &= s.round() as i64 == key[i]);
        same
    }

    pub(super) fn hash_of(&self, belief: &[f64]) -> u64 {
        let (mut k, mut f) = (Vec::new(), Vec::new());
        self.key(belief, &mut k, &mut f);
        hash_key(&k)
    }
}

pub(super) fn hash_key(key: &[i64]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    key.hash(&mut h);
    h.finish()
}
