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

/// The largest machine clustered: the clustering costs `states^2` distances between signatures,
/// and as many numbers of memory.
pub const MAX_COLLAPSED_STATES: usize = 3000;

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

/// Ward's agglomerative clustering of `points` weighted by `weights`: the pairs merged, cheapest
/// first, as (kept, absorbed) indices of the original points. By nearest-neighbour chains, in
/// `points^2` distance evaluations: Ward's criterion never makes a merged pair nearer to a third
/// than the nearer of the two was, so merging mutual nearest neighbours as the chain finds them
/// gives the same tree as merging the globally cheapest pair each time.
fn ward(mut points: Vec<Vec<f64>>, mut weights: Vec<f64>) -> Vec<(usize, usize)> {
    let n = points.len();
    let cost = |p: &[f64], q: &[f64], wp: f64, wq: f64| {
        let d: f64 = p.iter().zip(q).map(|(a, b)| (a - b) * (a - b)).sum();
        wp * wq / (wp + wq) * d
    };
    let mut costs = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..i {
            let c = cost(&points[i], &points[j], weights[i], weights[j]);
            costs[i * n + j] = c;
            costs[j * n + i] = c;
        }
    }
    let mut alive = vec![true; n];
    let mut merges: Vec<(f64, usize, usize)> = Vec::with_capacity(n.saturating_sub(1));
    let mut chain: Vec<usize> = Vec::new();
    while merges.len() + 1 < n {
        if chain.is_empty() {
            chain.push((0..n).find(|&i| alive[i]).expect("two clusters left"));
        }
        let a = chain[chain.len() - 1];
        let previous = (chain.len() >= 2).then(|| chain[chain.len() - 2]);
        // The nearest other cluster, the previous link winning ties so that the chain ends.
        let mut b = previous.unwrap_or(usize::MAX);
        let mut best = previous.map_or(f64::INFINITY, |p| costs[a * n + p]);
        for o in (0..n).filter(|&o| alive[o] && o != a) {
            if costs[a * n + o] < best {
                best = costs[a * n + o];
                b = o;
            }
        }
        if Some(b) != previous {
            chain.push(b);
            continue;
        }
        chain.truncate(chain.len() - 2);
        let (keep, gone) = (a.min(b), a.max(b));
        let (wk, wg) = (weights[keep], weights[gone]);
        let merged: Vec<f64> = points[keep]
            .iter()
            .zip(&points[gone])
            .map(|(x, y)| (wk * x + wg * y) / (wk + wg))
            .collect();
        points[keep] = merged;
        weights[keep] = wk + wg;
        alive[gone] = false;
        merges.push((best, keep, gone));
        for o in (0..n).filter(|&o| alive[o] && o != keep) {
            let c = cost(&points[keep], &points[o], weights[keep], weights[o]);
            costs[keep * n + o] = c;
            costs[o * n + keep] = c;
        }
    }
    merges.sort_by(|x, y| x.0.total_cmp(&y.0));
    merges.into_iter().map(|(_, a, b)| (a, b)).collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Ward's clustering as its definition reads: the cheapest pair merged, again and again.
    fn greedy(points: &[Vec<f64>], weights: &[f64]) -> Vec<Vec<usize>> {
        let n = points.len();
        let mut clusters: Vec<(Vec<f64>, f64, Vec<usize>)> = (0..n)
            .map(|i| (points[i].clone(), weights[i], vec![i]))
            .collect();
        let label = |clusters: &[(Vec<f64>, f64, Vec<usize>)]| {
            let mut blocks = vec![0; n];
            for (_, _, members) in clusters {
                let min = *members.iter().min().expect("a member");
                members.iter().for_each(|&m| blocks[m] = min);
            }
            blocks
        };
        let mut levels = vec![label(&clusters)];
        while clusters.len() > 1 {
            let mut best = (f64::INFINITY, 0, 0);
            for i in 0..clusters.len() {
                for j in 0..i {
                    let (p, wp, _) = &clusters[i];
                    let (q, wq, _) = &clusters[j];
                    let d: f64 = p.iter().zip(q).map(|(a, b)| (a - b) * (a - b)).sum();
                    let c = wp * wq / (wp + wq) * d;
                    if c < best.0 {
                        best = (c, i, j);
                    }
                }
            }
            let (_, i, j) = best;
            let (p, wp, mut mp) = clusters.remove(i);
            let (q, wq, mq) = &mut clusters[j];
            *q = q
                .iter()
                .zip(&p)
                .map(|(b, a)| (*wq * b + wp * a) / (*wq + wp))
                .collect();
            *wq += wp;
            mq.append(&mut mp);
            levels.push(label(&clusters));
        }
        levels
    }

    proptest! {
        #[test]
        fn nearest_neighbour_chains_give_the_greedy_tree(
            rows in proptest::collection::vec(
                (proptest::collection::vec(0.0f64..1.0, 3), 0.01f64..10.0),
                2..24,
            )
        ) {
            let points: Vec<Vec<f64>> = rows.iter().map(|r| r.0.clone()).collect();
            let weights: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let merges = ward(points.clone(), weights.clone());
            for (steps, expected) in greedy(&points, &weights).iter().enumerate() {
                prop_assert_eq!(&blocks(points.len(), &merges, steps), expected);
            }
        }
    }
}
