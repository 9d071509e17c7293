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
use rustc_hash::FxHashMap as HashMap;

use crate::counts::WordCounts;
use crate::error::{CmechError, Result};
use crate::presentation::{Edge, Hmm};

/// An observer's belief about the machine's state after some word.
#[derive(Debug, Clone)]
enum Belief {
    /// Certain of the state.
    Sync(usize),
    /// A distribution over states, not a point.
    Mix(Box<[f64]>),
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

/// Expected counts of each (state, symbol) along the data, from the beliefs.
pub(crate) type EdgeCounts = Vec<Vec<f64>>;

/// Beliefs after every counted word shorter than the window, level by level.
struct Scorer<'a> {
    machine: &'a Hmm,
    k: u64,
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
        Scorer {
            machine,
            k: k as u64,
            moves,
        }
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
                let n = self.machine.num_states();
                let mut next = vec![0.0; n];
                let mut add = |s: usize, w: f64| {
                    for e in self.machine.edges(s).iter().filter(|e| e.symbol == x) {
                        next[e.to] += w * e.p;
                    }
                };
                match b {
                    Belief::Sync(s) => add(*s, 1.0),
                    Belief::Mix(eta) => eta
                        .iter()
                        .enumerate()
                        .filter(|(_, &w)| w > 0.0)
                        .for_each(|(s, &w)| add(s, w)),
                }
                let p: f64 = next.iter().sum();
                if p <= 0.0 {
                    return (0.0, None);
                }
                next.iter_mut().for_each(|v| *v /= p);
                let support: Vec<usize> = (0..n).filter(|&s| next[s] > 0.0).collect();
                let belief = match support[..] {
                    [s] => Belief::Sync(s),
                    _ => Belief::Mix(next.into_boxed_slice()),
                };
                (p, Some(belief))
            }
        }
    }

    /// Adds `weight` occurrences of `x` after belief `b` to the expected edge counts.
    fn tally(&self, counts: &mut EdgeCounts, b: &Belief, x: usize, p: f64, weight: f64) {
        match b {
            Belief::Sync(s) => counts[*s][x] += weight,
            Belief::Mix(eta) => {
                for (s, &w) in eta.iter().enumerate().filter(|(_, &w)| w > 0.0) {
                    let ps = self.machine.emission(s, x);
                    if ps > 0.0 {
                        counts[s][x] += weight * w * ps / p;
                    }
                }
            }
        }
    }
}

/// Scores `machine` on counted words (`by_len[n - 1]` the words of length n, up to the window,
/// as [`crate::counts::CountTable::counts_from`] gives them; `ends[n - 1]` the sequences'
/// suffixes of length n), and gathers the expected count of every (state, symbol).
pub(crate) fn score_counts(
    machine: &Hmm,
    by_len: &[WordCounts],
    ends: &[WordCounts],
) -> Result<(Score, EdgeCounts)> {
    let window = by_len.len();
    if window == 0 {
        return Err(CmechError::InvalidArgument(
            "no words to score the machine on".into(),
        ));
    }
    let scorer = Scorer::new(machine);
    let k = scorer.k;
    let n = machine.num_states();
    let pi = machine.stationary_distribution()?;
    let start = if n == 1 {
        Belief::Sync(0)
    } else {
        Belief::Mix(pi.into_boxed_slice())
    };
    let mut counts: EdgeCounts = vec![vec![0.0; k as usize]; n];
    let mut log_likelihood = 0.0;
    let mut impossible = 0u64;
    let mut symbols = 0u64;
    // Beliefs and log-probabilities of the words of the previous length (none: probability 0).
    let mut level: HashMap<u64, Option<(Belief, f64)>> = HashMap::default();
    level.insert(0, Some((start, 0.0)));
    for len in 1..=window {
        let full = len == window;
        // Whole-sequence suffixes of this length that are not part of a longer one (the start of
        // their sequence, or the longest suffix the counts keep): scored from the stationary start.
        let maximal = |code: u64| -> u64 {
            if len > ends.len() {
                return 0;
            }
            let here = ends[len - 1].get(code);
            if here == 0 || len == ends.len() {
                return here;
            }
            let width = k.pow(len as u32);
            here - (0..k).map(|x| ends[len].get(x * width + code)).sum::<u64>()
        };
        let mut next: HashMap<u64, Option<(Belief, f64)>> = HashMap::default();
        for (code, c) in by_len[len - 1].iter() {
            let x = (code % k) as usize;
            let prefix = level.get(&(code / k)).and_then(|b| b.as_ref());
            let (p, after) = match prefix {
                Some((b, _)) => scorer.step(b, x),
                None => (0.0, None),
            };
            let logp = prefix.map_or(f64::NEG_INFINITY, |(_, l)| l + p.log2());
            if full {
                // Each window predicts its last symbol from the symbols before it.
                symbols += c;
                if p > 0.0 {
                    log_likelihood += c as f64 * p.log2();
                    scorer.tally(&mut counts, &prefix.expect("p > 0").0, x, p, c as f64);
                } else {
                    impossible += c;
                }
            }
            let m = maximal(code);
            if m > 0 {
                // The suffix stands for its sequence's first symbols: all of them are predicted.
                symbols += m * len as u64;
                if logp.is_finite() {
                    log_likelihood += m as f64 * logp;
                } else {
                    impossible += m;
                }
            }
            if !full {
                next.insert(code, after.map(|b| (b, logp)));
            }
        }
        level = next;
    }
    if impossible > 0 {
        log_likelihood = f64::NEG_INFINITY;
    }
    Ok((
        Score {
            log_likelihood,
            symbols,
            impossible,
            context: window - 1,
        },
        counts,
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
pub(crate) fn reestimate(machine: &Hmm, counts: &EdgeCounts) -> Hmm {
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
