//! How well a machine predicts the data whose words were counted: the log-likelihood of every
//! symbol, the machine started from its stationary distribution and its belief updated along the
//! data, and the maximum-likelihood probabilities of a structure.
//!
//! Counts keep the words up to a window W, not the sequences, so each symbol is predicted from at
//! most the W - 1 symbols before it: the belief after them, started from the stationary
//! distribution. A machine that synchronises within W - 1 symbols predicts exactly as it would
//! along the whole sequence; one that does not is scored by the mixture of states it is still in,
//! which is how an observer with that much memory would use it. The first W - 1 symbols of a
//! sequence are not in the counts; the last W - 1 are (as the sequence's suffixes), and they are
//! scored in their place, from the stationary distribution, which for a stationary process has the
//! same law. Every symbol of the data is thus predicted once.
use crate::counts::WordCounts;
use crate::error::{CmechError, Result};
use crate::presentation::{Edge, Hmm};

/// An observer's belief about the machine's state after some word.
#[derive(Debug, Clone)]
enum Belief {
    /// Certain of the state.
    Sync(usize),
    /// A distribution over states, not a point: (state, probability) for each state of
    /// positive probability, by state. Sparse, since an observer of a large machine is soon
    /// unsure between few of its states.
    Mix(Box<[(usize, f64)]>),
}

/// The log-likelihood of counted data under a machine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// log2 of the probability of the data; minus infinity when an observed word has
    /// probability zero under the machine.
    pub log_likelihood: f64,
    /// Symbols predicted (every counted symbol).
    pub symbols: u64,
    /// Occurrences of symbols the machine gives probability zero where they occurred.
    pub impossible: u64,
    /// The most symbols a prediction was conditioned on (the window less one).
    pub context: usize,
}

impl Score {
    /// Bits per symbol, minus the log-likelihood over the symbols (infinite for impossible data).
    pub fn log_loss(&self) -> f64 {
        -self.log_likelihood / self.symbols.max(1) as f64
    }
}

/// What a machine's walk along the data counts, for re-estimating and reshaping it.
#[derive(Debug, Clone)]
pub(crate) struct Tallies {
    /// Expected count of each (state, symbol), `edges[s][x]`, from the beliefs.
    pub(crate) edges: Vec<Vec<f64>>,
    /// Count of each next symbol after each edge, `flows[s * k + x][y]`: `y` read right after
    /// `x` left state `s`, the observer certain of `s` (so also of the state `x` leads to).
    pub(crate) flows: Vec<Vec<f64>>,
}

impl Tallies {
    fn new(n: usize, k: usize) -> Tallies {
        Tallies {
            edges: vec![vec![0.0; k]; n],
            flows: vec![vec![0.0; k]; n * k],
        }
    }

    fn add(&mut self, other: &Tallies) {
        for (a, b) in self
            .edges
            .iter_mut()
            .zip(&other.edges)
            .chain(self.flows.iter_mut().zip(&other.flows))
        {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
    }
}

/// Beliefs after every counted word shorter than the window, level by level.
struct Scorer<'a> {
    machine: &'a Hmm,
    moves: Vec<Vec<Move>>,
}

/// Where a state goes on a symbol.
#[derive(Debug, Clone, Copy)]
enum Move {
    Never,
    To(usize, f64),
    /// Several edges: the belief spreads.
    Spread,
}

impl<'a> Scorer<'a> {
    fn new(machine: &'a Hmm) -> Scorer<'a> {
        let k = machine.num_symbols();
        let moves = (0..machine.num_states())
            .map(|s| {
                (0..k)
                    .map(|x| {
                        let mut it = machine.edges(s).iter().filter(|e| e.symbol == x);
                        match (it.next(), it.next()) {
                            (None, _) => Move::Never,
                            (Some(e), None) => Move::To(e.to, e.p),
                            _ => Move::Spread,
                        }
                    })
                    .collect()
            })
            .collect();
        Scorer { machine, moves }
    }

    /// The probability of `x` next, and the belief after it (`None` when the probability is 0).
    fn step(&self, b: &Belief, x: usize) -> (f64, Option<Belief>) {
        let single = match b {
            Belief::Sync(s) => match self.moves[*s][x] {
                Move::Never => return (0.0, None),
                Move::To(to, p) => Some((to, p)),
                Move::Spread => None,
            },
            Belief::Mix(_) => None,
        };
        match single {
            Some((to, p)) => (p, Some(Belief::Sync(to))),
            None => {
                let mut next: Vec<(usize, f64)> = Vec::new();
                let mut add = |s: usize, w: f64| {
                    for e in self.machine.edges(s).iter().filter(|e| e.symbol == x) {
                        next.push((e.to, w * e.p));
                    }
                };
                match b {
                    Belief::Sync(s) => add(*s, 1.0),
                    Belief::Mix(eta) => eta.iter().for_each(|&(s, w)| add(s, w)),
                }
                next.sort_unstable_by_key(|&(s, _)| s);
                next.dedup_by(|b, a| {
                    let same = a.0 == b.0;
                    if same {
                        a.1 += b.1;
                    }
                    same
                });
                next.retain(|&(_, w)| w > 0.0);
                let p: f64 = next.iter().map(|&(_, w)| w).sum();
                if p <= 0.0 {
                    return (0.0, None);
                }
                let belief = match next[..] {
                    [(s, _)] => Belief::Sync(s),
                    _ => {
                        next.iter_mut().for_each(|(_, w)| *w /= p);
                        Belief::Mix(next.into_boxed_slice())
                    }
                };
                (p, Some(belief))
            }
        }
    }

    /// Adds `weight` occurrences of `x` after belief `b` to the expected edge counts.
    fn tally(&self, counts: &mut [Vec<f64>], b: &Belief, x: usize, p: f64, weight: f64) {
        match b {
            Belief::Sync(s) => counts[*s][x] += weight,
            Belief::Mix(eta) => {
                for &(s, w) in eta.iter() {
                    let ps = self.machine.emission(s, x);
                    if ps > 0.0 {
                        counts[s][x] += weight * w * ps / p;
                    }
                }
            }
        }
    }
}

/// The words a machine is scored on: the windows of the longest length whose distinct words fit
/// a budget, in code order, and the sequences' suffixes that stand for their starts.
pub(crate) struct ScoreData {
    k: u64,
    window: usize,
    /// (code, count, shared) of every window in code order, so that neighbours share prefixes:
    /// `shared` leading symbols are those of the window before, found once here rather than on
    /// each of the selection's walks.
    windows: Vec<(u64, u64, usize)>,
    /// (length, code, sequences) of the suffixes scored from the stationary start.
    starts: Vec<(usize, u64, u64)>,
}

/// The most distinct windows a machine is scored on: the window is the longest whose distinct
/// words fit, so that scoring stays linear in the data, whatever the alphabet.
pub(crate) const SCORE_WORDS: usize = 1 << 20;

impl ScoreData {
    /// From counts by length (`by_len[n - 1]` the words of length n, up to the counts' window, as
    /// [`crate::counts::CountTable::counts_from`] gives them) and the sequences' suffixes
    /// (`ends[n - 1]` of length n, shorter than the counts' window).
    pub(crate) fn new(k: usize, by_len: &[WordCounts], ends: &[WordCounts]) -> Result<ScoreData> {
        if by_len.len() < 2 {
            return Err(CmechError::InvalidArgument(
                "the counts go up to words of one symbol: nothing to score a machine on".into(),
            ));
        }
        let distinct = |w: &WordCounts| match w {
            WordCounts::Dense(v) => v.iter().filter(|&&c| c > 0).count(),
            WordCounts::Sparse(m) => m.len(),
        };
        let window = (2..=by_len.len())
            .rev()
            .find(|&w| distinct(&by_len[w - 1]) <= SCORE_WORDS)
            .unwrap_or(2);
        let k = k as u64;
        let ends = &ends[..(window - 1).min(ends.len())];
        // Each sequence's longest kept suffix (all of it when it is shorter than the window): a
        // suffix that no longer suffix extends.
        let mut starts = Vec::new();
        for len in 1..=ends.len() {
            let width = k.pow(len as u32);
            for (code, here) in ends[len - 1].iter() {
                let longer: u64 = if len == ends.len() {
                    0
                } else {
                    (0..k).map(|x| ends[len].get(x * width + code)).sum()
                };
                if here > longer {
                    starts.push((len, code, here - longer));
                }
            }
        }
        let mut windows = Vec::new();
        let mut word = vec![0; window];
        let mut prev = vec![usize::MAX; window];
        for (code, c) in by_len[window - 1].iter() {
            digits(code, k, &mut word);
            let same = word.iter().zip(&prev).take_while(|(a, b)| a == b).count();
            windows.push((code, c, same));
            std::mem::swap(&mut word, &mut prev);
        }
        Ok(ScoreData {
            k,
            window,
            windows,
            starts,
        })
    }

    /// The most symbols a prediction is conditioned on.
    pub(crate) fn context(&self) -> usize {
        self.window - 1
    }

    /// Calls `f(before, x, count)` for every prediction the data hold, with the symbols `x` is
    /// predicted from (at most [`Self::context`], oldest first): each window's last symbol after
    /// the rest of it, and each symbol of a start suffix after those before it in the suffix.
    pub(crate) fn visit(&self, mut f: impl FnMut(&[usize], usize, u64)) {
        let mut word = vec![0; self.window];
        for &(code, c, _) in &self.windows {
            digits(code, self.k, &mut word);
            f(&word[..self.window - 1], word[self.window - 1], c);
        }
        for &(len, code, m) in &self.starts {
            digits(code, self.k, &mut word[..len]);
            for i in 0..len {
                f(&word[..i], word[i], m);
            }
        }
    }
}

/// The base-`k` digits of `code` into `out`, most significant first.
fn digits(code: u64, k: u64, out: &mut [usize]) {
    let mut c = code;
    for d in out.iter_mut().rev() {
        *d = (c % k) as usize;
        c /= k;
    }
}

/// What a walk over some words adds up.
struct Tally {
    log_likelihood: f64,
    symbols: u64,
    impossible: u64,
    counts: Tallies,
    /// log2 of each prediction's probability, in [`ScoreData::visit`]'s order, if asked for.
    each: Vec<f64>,
}

impl Tally {
    fn new(n: usize, k: usize) -> Tally {
        Tally {
            log_likelihood: 0.0,
            symbols: 0,
            impossible: 0,
            counts: Tallies::new(n, k),
            each: Vec::new(),
        }
    }

    /// `other` added; rayon's reduce keeps the chunks in order, so `each` stays in order.
    fn add(mut self, other: Tally) -> Tally {
        self.log_likelihood += other.log_likelihood;
        self.symbols += other.symbols;
        self.impossible += other.impossible;
        self.counts.add(&other.counts);
        self.each.extend(other.each);
        self
    }
}

/// Scores `machine` on the data and gathers the expected count of every (state, symbol).
///
/// Windows come in code order, so neighbours share their oldest symbols: the beliefs along the
/// current window are kept on a stack and only those after the first differing symbol are
/// recomputed, which visits each node of the words' prefix tree once and holds one window's
/// beliefs, not every word's.
pub(crate) fn score_counts(machine: &Hmm, data: &ScoreData) -> Result<(Score, Tallies)> {
    walk_counts(machine, data, false).map(|(score, tallies, _)| (score, tallies))
}

/// log2 of the probability `machine` gives each prediction of the data, in the order of
/// [`ScoreData::visit`] (minus infinity where it gives none), with its score.
pub(crate) fn prediction_log_probs(machine: &Hmm, data: &ScoreData) -> Result<(Score, Vec<f64>)> {
    walk_counts(machine, data, true).map(|(score, _, each)| (score, each))
}

/// The walk behind [`score_counts`] and [`prediction_log_probs`].
fn walk_counts(
    machine: &Hmm,
    data: &ScoreData,
    record: bool,
) -> Result<(Score, Tallies, Vec<f64>)> {
    use rayon::prelude::*;
    let scorer = Scorer::new(machine);
    let n = machine.num_states();
    let k = data.k as usize;
    let w = data.window;
    let pi = machine.stationary_distribution()?;
    let start = if n == 1 {
        Belief::Sync(0)
    } else {
        Belief::Mix(
            pi.into_iter()
                .enumerate()
                .filter(|&(_, p)| p > 0.0)
                .collect(),
        )
    };
    // Beliefs after each prefix of a window read from the start; `None` from the first symbol of
    // probability zero on.
    let walk = |windows: &[(u64, u64, usize)]| -> Tally {
        let mut t = Tally::new(n, k);
        let mut stack: Vec<Option<Belief>> = vec![Some(start.clone())];
        let mut word = vec![0; w];
        for (i, &(code, c, same)) in windows.iter().enumerate() {
            // A chunk's first window shares nothing with a stack not yet built.
            let same = if i == 0 { 0 } else { same.min(w - 1) };
            // Only the symbols after the shared ones are new: the code's low digits.
            let low = data
                .k
                .checked_pow((w - same) as u32)
                .map_or(code, |m| code % m);
            digits(low, data.k, &mut word[same..]);
            stack.truncate(same + 1);
            for &x in &word[same..w - 1] {
                let next = stack
                    .last()
                    .expect("the start is never popped")
                    .as_ref()
                    .and_then(|b| scorer.step(b, x).1);
                stack.push(next);
            }
            let x = word[w - 1];
            t.symbols += c;
            match &stack[w - 1] {
                Some(b) => {
                    let (p, _) = scorer.step(b, x);
                    if record {
                        t.each.push(p.log2());
                    }
                    if p > 0.0 {
                        t.log_likelihood += c as f64 * p.log2();
                        scorer.tally(&mut t.counts.edges, b, x, p, c as f64);
                        if let Some(Belief::Sync(s)) = &stack[w - 2] {
                            t.counts.flows[s * k + word[w - 2]][x] += c as f64;
                        }
                    } else {
                        t.impossible += c;
                    }
                }
                None => {
                    t.impossible += c;
                    if record {
                        t.each.push(f64::NEG_INFINITY);
                    }
                }
            }
        }
        t
    };
    let mut total = data
        .windows
        .par_chunks(1 << 14)
        .map(walk)
        .reduce(|| Tally::new(n, k), Tally::add);
    // The suffixes that stand for their sequences' first symbols, each read from the start.
    let mut word = vec![0; w];
    for &(len, code, m) in &data.starts {
        digits(code, data.k, &mut word[..len]);
        let mut b = Some(start.clone());
        let mut logp = 0.0;
        for &x in &word[..len] {
            let (p, after) = match &b {
                Some(b) => scorer.step(b, x),
                None => (0.0, None),
            };
            logp += p.log2();
            if record {
                total.each.push(p.log2());
            }
            b = after;
        }
        total.symbols += m * len as u64;
        if b.is_some() {
            total.log_likelihood += m as f64 * logp;
        } else {
            total.impossible += m;
        }
    }
    let log_likelihood = if total.impossible > 0 {
        f64::NEG_INFINITY
    } else {
        total.log_likelihood
    };
    Ok((
        Score {
            log_likelihood,
            symbols: total.symbols,
            impossible: total.impossible,
            context: data.context(),
        },
        total.counts,
        total.each,
    ))
}

/// Free parameters of a machine: each state's edges less one.
pub fn parameters(machine: &Hmm) -> usize {
    (0..machine.num_states())
        .map(|s| machine.edges(s).len().saturating_sub(1))
        .sum()
}

/// The machine with each state's probabilities set to the expected counts' proportions, for a
/// state whose every edge was used; other states keep theirs (an edge never used would vanish and
/// could take part of the machine with it).
pub(crate) fn reestimate(machine: &Hmm, tallies: &Tallies) -> Hmm {
    let counts = &tallies.edges;
    let edges: Vec<Vec<Edge>> = (0..machine.num_states())
        .map(|s| {
            let row = machine.edges(s);
            let total: f64 = row.iter().map(|e| counts[s][e.symbol]).sum();
            let unifilar = row
                .iter()
                .all(|e| row.iter().filter(|f| f.symbol == e.symbol).count() == 1);
            if !unifilar || total <= 0.0 || row.iter().any(|e| counts[s][e.symbol] <= 0.0) {
                return row.to_vec();
            }
            row.iter()
                .map(|e| Edge {
                    p: counts[s][e.symbol] / total,
                    ..*e
                })
                .collect()
        })
        .collect();
    Hmm::from_parts(
        machine.name().to_string(),
        machine.alphabet().to_vec(),
        machine.states().to_vec(),
        edges,
    )
}
