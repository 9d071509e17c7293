//! Collapse: the one global move, for a machine whose fits split each true state into many
//! classes of rare histories.
//!
//! Where a process synchronises slowly, a fit at a long history length holds the true states as a
//! few heavy states and, beside them, tens or hundreds of light ones: histories the fit could not
//! place, each a mixture of true states. Merging any one light state into a heavy one costs
//! likelihood along the machine's own path (the light state predicts as a mixture, and the heavy
//! state as one state), so no single merge lowers the BIC, though the machine with all of them
//! merged does, by thousands of bits: the observer of that machine stays synchronised where the
//! light states kept losing track. Collapse makes that jump. It clusters the states by what they
//! predict (the probabilities of every word of a few symbols), weighted by how often the data
//! visit them (Ward's criterion, so a light state joins the heavy state it predicts most alike),
//! and scores the machine of each number of clusters in turn, each cluster's edge on a symbol
//! going where most of its members' visits go.

use crate::error::{CmechError, Result};
use crate::presentation::Hmm;

use super::moves::{apply, Move, Shape};
use super::{attempt, Refined, Refinement};
use crate::reconstruct::score::{parameters, score_counts, ScoreData};
use crate::reconstruct::select::{bic, polish};

/// Word codes (`k^length`) at most in a state's predictive signature: words of 8 binary
/// symbols, 5 ternary, 4 of four symbols.
const SIGNATURE_CODES: usize = 256;

/// The largest machine clustered: the clustering costs `states^3`.
pub const MAX_COLLAPSED_STATES: usize = 600;

/// The most clusters scored: a machine of more states than this is not what collapse is for.
const MAX_CLUSTERS: usize = 64;

/// Numbers of clusters scored past the best before the scan stops.
const PATIENCE: usize = 8;

/// The best-scoring numbers of clusters re-estimated before one is chosen.
const POLISHED: usize = 2;

/// The probability of each word of the signature's length from each state.
fn signatures(machine: &Hmm) -> Vec<Vec<f64>> {
    let k = machine.num_symbols().max(2);
    let mut length = 1;
    while k.saturating_pow(length as u32 + 1) <= SIGNATURE_CODES {
        length += 1;
    }
    let codes = k.saturating_pow(length as u32);
    fn walk(m: &Hmm, s: usize, left: usize, code: usize, p: f64, out: &mut [f64]) {
        let k = m.num_symbols();
        if left == 0 {
            out[code] += p;
            return;
        }
        for e in m.edges(s) {
            walk(m, e.to, left - 1, code * k + e.symbol, p * e.p, out);
        }
    }
    (0..machine.num_states())
        .map(|s| {
            let mut out = vec![0.0; codes];
            walk(machine, s, length, 0, 1.0, &mut out);
            out
        })
        .collect()
}

/// Ward's agglomerative clustering of `points` weighted by `weights`: the pairs merged, in
/// order, as (kept, absorbed) indices of the original points.
fn ward(mut points: Vec<Vec<f64>>, mut weights: Vec<f64>) -> Vec<(usize, usize)> {
    let n = points.len();
    let cost = |p: &[f64], q: &[f64], wp: f64, wq: f64| {
        let d: f64 = p.iter().zip(q).map(|(a, b)| (a - b) * (a - b)).sum();
        wp * wq / (wp + wq) * d
    };
    let mut costs = vec![f64::INFINITY; n * n];
    for i in 0..n {
        for j in 0..i {
            costs[i * n + j] = cost(&points[i], &points[j], weights[i], weights[j]);
        }
    }
    let mut alive = vec![true; n];
    let mut merges = Vec::with_capacity(n.saturating_sub(1));
    for _ in 1..n {
        let mut best = (f64::INFINITY, 0, 0);
        for i in (0..n).filter(|&i| alive[i]) {
            for j in (0..i).filter(|&j| alive[j]) {
                if costs[i * n + j] < best.0 {
                    best = (costs[i * n + j], i, j);
                }
            }
        }
        let (_, i, j) = best;
        let (keep, gone) = (j, i);
        let (wk, wg) = (weights[keep], weights[gone]);
        let merged: Vec<f64> = points[keep]
            .iter()
            .zip(&points[gone])
            .map(|(a, b)| (wk * a + wg * b) / (wk + wg))
            .collect();
        points[keep] = merged;
        weights[keep] = wk + wg;
        alive[gone] = false;
        merges.push((keep, gone));
        for o in (0..n).filter(|&o| alive[o] && o != keep) {
            let c = cost(&points[keep], &points[o], weights[keep], weights[o]);
            costs[keep.max(o) * n + keep.min(o)] = c;
        }
    }
    merges
}

/// Each state's block (its smallest member) after the first `steps` merges.
fn blocks(n: usize, merges: &[(usize, usize)], steps: usize) -> Vec<usize> {
    let mut root: Vec<usize> = (0..n).collect();
    fn find(root: &mut [usize], mut s: usize) -> usize {
        while root[s] != s {
            root[s] = root[root[s]];
            s = root[s];
        }
        s
    }
    for &(a, b) in &merges[..steps] {
        let (a, b) = (find(&mut root, a), find(&mut root, b));
        root[a.max(b)] = a.min(b);
    }
    (0..n).map(|s| find(&mut root, s)).collect()
}

/// The best collapse of `start`, candidate `from` (see the module's documentation): `None` when
/// no number of clusters scores within a tie of it, or it is too large or too small to cluster.
pub(crate) fn collapse(start: &Hmm, from: usize, data: &ScoreData) -> Result<Option<Refined>> {
    let n = start.num_states();
    if !(3..=MAX_COLLAPSED_STATES).contains(&n) {
        return Ok(None);
    }
    let (machine, score, tallies) = polish(start, data)?;
    let Some(shape) = Shape::new(&machine, &tallies) else {
        return Ok(None);
    };
    let n = machine.num_states();
    let first = bic(score.log_likelihood, parameters(&machine), score.symbols);
    // A state never visited weighs next to nothing: it joins whichever state it predicts like.
    let weights: Vec<f64> = tallies
        .edges
        .iter()
        .map(|row| row.iter().sum::<f64>() + 1e-9)
        .collect();
    let merges = ward(signatures(&machine), weights);
    // Each number of clusters is scored as its counts left it, one walk over the data; only the
    // best few are re-estimated, which takes several.
    let mut found: Vec<(f64, Hmm)> = Vec::new();
    let mut since_best = 0;
    for clusters in 1..n.min(MAX_CLUSTERS + 1) {
        let blocks = blocks(n, &merges, n - clusters);
        let moved = apply(&shape, &Move::Merge { blocks }).machine(&machine);
        let scored = moved
            .minimize()
            .and_then(|m| score_counts(&m, data).map(|(s, _)| (m, s)));
        let best = found.iter().map(|f| f.0).fold(f64::INFINITY, f64::min);
        match scored {
            Ok((m, s)) => {
                let b = bic(s.log_likelihood, parameters(&m), s.symbols);
                since_best = if b < best { 0 } else { since_best + 1 };
                found.push((b, m));
            }
            Err(CmechError::InvalidArgument(_) | CmechError::Unsupported(_)) => since_best += 1,
            Err(e) => return Err(e),
        }
        if since_best > PATIENCE && best.is_finite() {
            break;
        }
    }
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut best: Option<(f64, Refined)> = None;
    for (_, m) in found.into_iter().take(POLISHED) {
        let Some((m, s, _)) = attempt(&m, data)? else {
            continue;
        };
        let b = bic(s.log_likelihood, parameters(&m), s.symbols);
        if best.as_ref().is_none_or(|(x, _)| b < *x) {
            let moves = Refinement {
                from,
                clustered: n - m.num_states(),
                ..Refinement::default()
            };
            let refined = Refined {
                machine: m,
                score: s,
                moves,
            };
            best = Some((b, refined));
        }
    }
    Ok(best
        .filter(|(b, _)| *b <= first + super::TIE_BITS)
        .map(|(_, r)| r))
}
