//! The neighbourhood of a unifilar machine: its [`Shape`] (transitions and the counts along its
//! synchronised path), the moves on it (merge and fold, split, redirect, prune), each move's
//! change of BIC estimated from those counts, and the moved shape as a machine.

use super::MAX_PAIR_WORK;
use crate::presentation::{Edge, Hmm};
use crate::reconstruct::score::Tallies;

/// Pairs of states folded and estimated in full after the quick screen, per round.
const FOLDS: usize = 64;

/// Entering edges beyond which a split's groups are found by local search, not by trying all.
const EXHAUSTIVE_EDGES: usize = 10;

/// log2-likelihood of counts under their own proportions.
fn log_likelihood(counts: &[f64]) -> f64 {
    let total: f64 = counts.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0.0)
        .map(|&c| c * (c / total).log2())
        .sum()
}

fn add(a: &mut [f64], b: &[f64]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
}

/// `c log2 c`, 0 at 0.
fn c_log_c(c: f64) -> f64 {
    if c > 0.0 {
        c * c.log2()
    } else {
        0.0
    }
}

/// Counts split in two sides, with each symbol's `c log2 c` kept per side so that moving one
/// edge's counts across is priced from the symbols it touches. The sums are recomputed whole
/// after each move, so no rounding accumulates.
struct Split {
    moved: Vec<f64>,
    stay: Vec<f64>,
    moved_terms: Vec<f64>,
    stay_terms: Vec<f64>,
    /// (sum of terms, total count) of each side.
    sums: [(f64, f64); 2],
}

impl Split {
    fn new(all: &[f64], moved: &[f64]) -> Split {
        let stay: Vec<f64> = all.iter().zip(moved).map(|(a, b)| a - b).collect();
        let mut split = Split {
            moved_terms: moved.iter().map(|&c| c_log_c(c)).collect(),
            stay_terms: stay.iter().map(|&c| c_log_c(c)).collect(),
            moved: moved.to_vec(),
            stay,
            sums: [(0.0, 0.0); 2],
        };
        split.total();
        split
    }

    fn total(&mut self) {
        self.sums = [
            (self.moved_terms.iter().sum(), self.moved.iter().sum()),
            (self.stay_terms.iter().sum(), self.stay.iter().sum()),
        ];
    }

    /// The log-likelihood of the two sides (sum over sides of sum c log c - n log n).
    fn gain(&self) -> f64 {
        self.sums.iter().map(|&(t, n)| t - c_log_c(n)).sum()
    }

    /// [`Split::gain`] had `f` (non-zero at `support`) crossed: out of the moved side if
    /// `is_moved`, into it if not.
    fn gain_flipped(&self, f: &[f64], support: &[usize], is_moved: bool) -> f64 {
        let sign = if is_moved { -1.0 } else { 1.0 };
        let (mut tm, mut nm) = self.sums[0];
        let (mut ts, mut ns) = self.sums[1];
        for &x in support {
            let d = sign * f[x];
            tm += c_log_c(self.moved[x] + d) - self.moved_terms[x];
            ts += c_log_c(self.stay[x] - d) - self.stay_terms[x];
            nm += d;
            ns -= d;
        }
        tm - c_log_c(nm) + ts - c_log_c(ns)
    }

    fn flip(&mut self, f: &[f64], is_moved: bool) {
        let sign = if is_moved { -1.0 } else { 1.0 };
        for (x, &c) in f.iter().enumerate().filter(|(_, &c)| c > 0.0) {
            self.moved[x] += sign * c;
            self.stay[x] -= sign * c;
            self.moved_terms[x] = c_log_c(self.moved[x]);
            self.stay_terms[x] = c_log_c(self.stay[x]);
        }
        self.total();
    }
}

/// A unifilar machine's transitions and the counts along its path, as moves reshape them.
#[derive(Clone)]
pub(super) struct Shape {
    k: usize,
    /// `delta[s][x]`: where `x` leads from `s`.
    delta: Vec<Vec<Option<usize>>>,
    /// Count of each (state, symbol).
    edges: Vec<Vec<f64>>,
    /// Next-symbol counts after each edge, `flows[s * k + x]`.
    flows: Vec<Vec<f64>>,
}

/// A move and its estimated change of BIC (bits, negative is better).
#[derive(Debug, Clone)]
pub(super) enum Move {
    /// The fold of states `a` and `b`: each state's block.
    Merge { blocks: Vec<usize> },
    /// State `s` split: the entering edges `(from, symbol)` that lead to the new copy.
    Split {
        s: usize,
        moved: Vec<(usize, usize)>,
    },
    /// The edge on `symbol` from `from` sent to `to` instead.
    Redirect {
        from: usize,
        symbol: usize,
        to: usize,
    },
    /// The edges `(from, symbol)` removed.
    Prune { edges: Vec<(usize, usize)> },
}

impl Shape {
    pub(super) fn new(machine: &Hmm, tallies: &Tallies) -> Option<Shape> {
        if !machine.is_unifilar() {
            return None;
        }
        let k = machine.num_symbols();
        let delta = (0..machine.num_states())
            .map(|s| (0..k).map(|x| machine.successor(s, x)).collect())
            .collect();
        Some(Shape {
            k,
            delta,
            edges: tallies.edges.clone(),
            flows: tallies.flows.clone(),
        })
    }

    pub(super) fn states(&self) -> usize {
        self.delta.len()
    }

    fn parameters(&self, s: usize) -> usize {
        self.delta[s].iter().flatten().count().saturating_sub(1)
    }

    /// The blocks of the fold of `a` and `b` (each state's representative, the smallest member).
    fn fold(&self, a: usize, b: usize) -> Vec<usize> {
        let mut root: Vec<usize> = (0..self.states()).collect();
        fn find(root: &mut [usize], mut s: usize) -> usize {
            while root[s] != s {
                root[s] = root[root[s]];
                s = root[s];
            }
            s
        }
        let mut rows = self.delta.clone();
        let mut pending = vec![(a, b)];
        while let Some((p, q)) = pending.pop() {
            let (p, q) = (find(&mut root, p), find(&mut root, q));
            if p == q {
                continue;
            }
            let (keep, gone) = (p.min(q), p.max(q));
            root[gone] = keep;
            let gone_row = std::mem::take(&mut rows[gone]);
            for (here, there) in rows[keep].iter_mut().zip(gone_row) {
                match (*here, there) {
                    (Some(t), Some(u)) => pending.push((t, u)),
                    (None, Some(u)) => *here = Some(u),
                    _ => {}
                }
            }
        }
        (0..self.states()).map(|s| find(&mut root, s)).collect()
    }

    /// The estimated change of BIC of merging states into `blocks`.
    fn merge_cost(&self, blocks: &[usize], log_n: f64) -> f64 {
        let n = self.states();
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); n];
        for s in 0..n {
            members[blocks[s]].push(s);
        }
        let mut gain = 0.0;
        let mut extra = 0.0;
        for group in members.iter().filter(|g| g.len() > 1) {
            let mut pooled = vec![0.0; self.k];
            let mut symbols = vec![false; self.k];
            for &s in group {
                add(&mut pooled, &self.edges[s]);
                gain -= log_likelihood(&self.edges[s]);
                extra -= self.parameters(s) as f64;
                for (x, t) in self.delta[s].iter().enumerate() {
                    symbols[x] |= t.is_some();
                }
            }
            gain += log_likelihood(&pooled);
            extra += symbols.iter().filter(|&&b| b).count().saturating_sub(1) as f64;
        }
        -gain + 0.5 * extra * log_n
    }

    /// The entering edges of every state.
    fn entering(&self) -> Vec<Vec<(usize, usize)>> {
        let mut into = vec![Vec::new(); self.states()];
        for (s, row) in self.delta.iter().enumerate() {
            for (x, t) in row.iter().enumerate() {
                if let Some(t) = t {
                    into[*t].push((s, x));
                }
            }
        }
        into
    }

    /// The best split of `s` by its entering edges `into`: the edges for the new copy and the
    /// estimated change of BIC.
    fn best_split(
        &self,
        s: usize,
        into: &[(usize, usize)],
        log_n: f64,
    ) -> Option<(Vec<bool>, f64)> {
        let m = into.len();
        if m < 2 {
            return None;
        }
        let flows: Vec<&[f64]> = into
            .iter()
            .map(|&(p, x)| &self.flows[p * self.k + x][..])
            .collect();
        let mut all = vec![0.0; self.k];
        flows.iter().for_each(|f| add(&mut all, f));
        let whole = log_likelihood(&all);
        let gain = |side: &[bool]| {
            let mut moved = vec![0.0; self.k];
            for (f, _) in flows.iter().zip(side).filter(|(_, &b)| b) {
                add(&mut moved, f);
            }
            let stay: Vec<f64> = all.iter().zip(&moved).map(|(a, b)| a - b).collect();
            log_likelihood(&moved) + log_likelihood(&stay) - whole
        };
        let mut best: Option<(Vec<bool>, f64)> = None;
        let mut consider = |side: Vec<bool>, g: f64| {
            if side.iter().any(|&b| b)
                && !side.iter().all(|&b| b)
                && best.as_ref().is_none_or(|b| g > b.1)
            {
                best = Some((side, g));
            }
        };
        if m <= EXHAUSTIVE_EDGES {
            // The first edge stays, so each partition is tried once.
            for mask in 1u32..(1 << (m - 1)) {
                let side: Vec<bool> = (0..m).map(|i| i > 0 && mask >> (i - 1) & 1 == 1).collect();
                let g = gain(&side);
                consider(side, g);
            }
        } else {
            // From each edge alone, move single edges across while that gains. A flip changes
            // only the symbols its edge's counts touch, so its gain is found from those alone
            // (text's states have hundreds of edges in, each followed by a few of 75 symbols).
            let support: Vec<Vec<usize>> = flows
                .iter()
                .map(|f| (0..self.k).filter(|&x| f[x] > 0.0).collect())
                .collect();
            for seed in 0..m {
                let mut side: Vec<bool> = (0..m).map(|i| i == seed).collect();
                let mut split = Split::new(&all, flows[seed]);
                let mut g = split.gain() - whole;
                loop {
                    let mut step: Option<(usize, f64)> = None;
                    for (i, f) in flows.iter().enumerate() {
                        let h = split.gain_flipped(f, &support[i], side[i]) - whole;
                        // The last of equal gains, as a maximum over the edges in order.
                        if step.is_none_or(|(_, best)| h >= best) {
                            step = Some((i, h));
                        }
                    }
                    match step.filter(|&(_, h)| h > g + 1e-9) {
                        Some((i, _)) => {
                            split.flip(flows[i], side[i]);
                            side[i] = !side[i];
                            g = split.gain() - whole;
                        }
                        None => break,
                    }
                }
                consider(side, g);
            }
        }
        best.map(|(side, g)| (side, -g + 0.5 * self.parameters(s) as f64 * log_n))
    }

    /// The folds of the [`FOLDS`] pairs that lose least by merging alone, best estimate first.
    pub(super) fn merges(&self, log_n: f64) -> Vec<(Move, f64)> {
        let n = self.states();
        let mut out = Vec::new();
        if n * n * self.k > MAX_PAIR_WORK {
            return out;
        }
        let own: Vec<f64> = self.edges.iter().map(|e| log_likelihood(e)).collect();
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        let mut pooled = vec![0.0; self.k];
        for a in 0..n {
            for b in a + 1..n {
                pooled.copy_from_slice(&self.edges[a]);
                add(&mut pooled, &self.edges[b]);
                pairs.push((own[a] + own[b] - log_likelihood(&pooled), a, b));
            }
        }
        pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
        for &(_, a, b) in pairs.iter().take(FOLDS) {
            let blocks = self.fold(a, b);
            let cost = self.merge_cost(&blocks, log_n);
            out.push((Move::Merge { blocks }, cost));
        }
        out.sort_by(|x, y| x.1.total_cmp(&y.1));
        out
    }

    /// Every edge sent to each other state that can emit what follows it, with the estimated
    /// change of BIC (the next symbol's counts moved from one target to the other).
    fn redirects(&self) -> Vec<(Move, f64)> {
        let n = self.states();
        let mut out = Vec::new();
        if n * n * self.k > MAX_PAIR_WORK {
            return out;
        }
        let own: Vec<f64> = self.edges.iter().map(|e| log_likelihood(e)).collect();
        let mut there = vec![0.0; self.k];
        for from in 0..n {
            for symbol in 0..self.k {
                let Some(t) = self.delta[from][symbol] else {
                    continue;
                };
                let f = &self.flows[from * self.k + symbol];
                if f.iter().all(|&c| c <= 0.0) {
                    continue;
                }
                let left: Vec<f64> = self.edges[t]
                    .iter()
                    .zip(f)
                    .map(|(a, b)| (a - b).max(0.0))
                    .collect();
                let loss = own[t] - log_likelihood(&left);
                for to in (0..n).filter(|&u| u != t) {
                    let emits = (0..self.k).all(|y| f[y] <= 0.0 || self.delta[to][y].is_some());
                    if !emits {
                        continue;
                    }
                    there.copy_from_slice(&self.edges[to]);
                    add(&mut there, f);
                    let gain = log_likelihood(&there) - own[to] - loss;
                    out.push((Move::Redirect { from, symbol, to }, -gain));
                }
            }
        }
        out
    }

    /// The shape with the edge on `symbol` from `from` sent to `to`.
    fn redirected(&self, from: usize, symbol: usize, to: usize) -> Shape {
        let mut out = self.clone();
        let f = &self.flows[from * self.k + symbol];
        if let Some(t) = self.delta[from][symbol] {
            out.edges[t]
                .iter_mut()
                .zip(f)
                .for_each(|(a, b)| *a = (*a - b).max(0.0));
        }
        add(&mut out.edges[to], f);
        out.delta[from][symbol] = Some(to);
        out
    }

    /// The edges the data hardly use (fewer times along the path than the bits their parameter
    /// costs), each removed, estimated to save the parameter and to lose a bit each time the
    /// edge was used: a fit that met a rare mixture of states can keep an edge the process never
    /// takes, which re-estimation shrinks but never removes. An edge is judged by its use with
    /// the observer certain of the state (its counts after a collapse can all come from
    /// beliefs still mixed, where another state of the mixture explains the symbol as well).
    /// All of them at once come first: a fit can have hundreds, and one walk over the data tries
    /// them together.
    fn prunes(&self, log_n: f64) -> Vec<(Move, f64)> {
        let mut out: Vec<(Move, f64)> = Vec::new();
        for from in 0..self.states() {
            if self.parameters(from) == 0 {
                continue;
            }
            for symbol in 0..self.k {
                let synchronised: f64 = self.flows[from * self.k + symbol].iter().sum();
                let used = self.edges[from][symbol].min(synchronised);
                if self.delta[from][symbol].is_some() && used < 0.5 * log_n {
                    let edges = vec![(from, symbol)];
                    out.push((Move::Prune { edges }, used - 0.5 * log_n));
                }
            }
        }
        if out.len() > 1 {
            let mut edges = Vec::new();
            let mut cost = 0.0;
            for (m, c) in &out {
                if let Move::Prune { edges: e } = m {
                    edges.extend(e);
                    cost += c;
                }
            }
            out.insert(0, (Move::Prune { edges }, cost));
        }
        out
    }

    /// The most promising moves, best estimate first: the best merges, each state's best split,
    /// every redirected edge and every edge hardly used.
    pub(super) fn moves(&self, log_n: f64) -> Vec<(Move, f64)> {
        let mut out = self.merges(log_n);
        out.extend(self.redirects());
        out.extend(self.prunes(log_n));
        for (s, into) in self.entering().iter().enumerate() {
            if let Some((side, cost)) = self.best_split(s, into, log_n) {
                let moved = into
                    .iter()
                    .zip(&side)
                    .filter(|(_, &b)| b)
                    .map(|(&e, _)| e)
                    .collect();
                out.push((Move::Split { s, moved }, cost));
            }
        }
        out.sort_by(|x, y| x.1.total_cmp(&y.1));
        out
    }

    /// The shape merged into `blocks`, its counts summed. A block's edge on a symbol goes to
    /// the block most of its members' counts on that symbol go to: after a fold every member
    /// agrees, and a clustering (see `collapse`) that put a few of a state's visits in the wrong
    /// block still gives a unifilar machine.
    pub(super) fn merged(&self, blocks: &[usize]) -> Shape {
        let n = self.states();
        let mut index = vec![usize::MAX; n];
        let mut count = 0;
        for s in 0..n {
            if blocks[s] == s {
                index[s] = count;
                count += 1;
            }
        }
        let at = |s: usize| index[blocks[s]];
        let k = self.k;
        let mut out = Shape {
            k,
            delta: vec![vec![None; k]; count],
            edges: vec![vec![0.0; k]; count],
            flows: vec![vec![0.0; k]; count * k],
        };
        // Votes of each (block, symbol) for its target block; an edge never taken votes too,
        // least of all, so that the block keeps every symbol a member can emit.
        let mut votes: Vec<Vec<(usize, f64)>> = vec![Vec::new(); count * k];
        for s in 0..n {
            let b = at(s);
            add(&mut out.edges[b], &self.edges[s]);
            for x in 0..k {
                if let Some(t) = self.delta[s][x] {
                    let v = &mut votes[b * k + x];
                    let weight = self.edges[s][x] + f64::MIN_POSITIVE;
                    match v.iter_mut().find(|(to, _)| *to == at(t)) {
                        Some((_, w)) => *w += weight,
                        None => v.push((at(t), weight)),
                    }
                }
                add(&mut out.flows[b * k + x], &self.flows[s * k + x]);
            }
        }
        for (i, v) in votes.iter().enumerate() {
            out.delta[i / k][i % k] = v
                .iter()
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|&(to, _)| to);
        }
        out
    }

    /// The shape with state `s` split: the edges in `moved` lead to a new copy of it.
    fn split(&self, s: usize, moved: &[(usize, usize)]) -> Shape {
        let k = self.k;
        let copy = self.states();
        let mut out = self.clone();
        out.delta.push(self.delta[s].clone());
        // The copies' next-symbol counts after each edge are known only once the data are walked
        // again, which every split machine is before anything is decided from it.
        out.flows = vec![vec![0.0; k]; (copy + 1) * k];
        let mut counts = vec![0.0; k];
        for &(p, x) in moved {
            out.delta[p][x] = Some(copy);
            add(&mut counts, &self.flows[p * k + x]);
        }
        out.edges[s]
            .iter_mut()
            .zip(&counts)
            .for_each(|(a, b)| *a = (*a - b).max(0.0));
        out.edges.push(counts);
        out
    }

    /// The machine: each edge's probability its count's share (half a count added to each, so
    /// that no edge of the structure vanishes before the data re-estimate it).
    pub(super) fn machine(&self, like: &Hmm) -> Hmm {
        let edges = (0..self.states())
            .map(|s| {
                let used: Vec<usize> = (0..self.k)
                    .filter(|&x| self.delta[s][x].is_some())
                    .collect();
                let total: f64 = used.iter().map(|&x| self.edges[s][x] + 0.5).sum();
                used.iter()
                    .map(|&x| Edge {
                        symbol: x,
                        to: self.delta[s][x].expect("used"),
                        p: (self.edges[s][x] + 0.5) / total,
                    })
                    .collect()
            })
            .collect();
        Hmm::from_parts(
            like.name().to_string(),
            like.alphabet().to_vec(),
            (0..self.states()).map(|s| format!("S{s}")).collect(),
            edges,
        )
    }
}

/// Applies `m` to `shape`.
pub(super) fn apply(shape: &Shape, m: &Move) -> Shape {
    match m {
        Move::Merge { blocks } => shape.merged(blocks),
        Move::Split { s, moved } => shape.split(*s, moved),
        Move::Redirect { from, symbol, to } => shape.redirected(*from, *symbol, *to),
        Move::Prune { edges } => {
            let mut out = shape.clone();
            for &(from, symbol) in edges {
                out.delta[from][symbol] = None;
                out.edges[from][symbol] = 0.0;
            }
            out
        }
    }
}
