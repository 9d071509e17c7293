//! What both methods share: the word counts by length, the graph of states their maximal
//! histories form, the machine read off it (its heaviest closed class), and the fits at every
//! history length up to the maximum that the diagnostics are drawn from.

use rustc_hash::FxHashMap as HashMap;

use super::diagnostics::{
    check_histories_sampled, estimated_entropy_rate, history_too_long, supported_history,
};
use super::{History, ReconstructOptions};
use crate::counts::{CountTable, WordCounts};
use crate::error::{CmechError, Result};
use crate::graph;
use crate::presentation::{Edge, Hmm};

/// The fit at the maximum history length and the number of states at every length up to it,
/// for counts whose next-symbol vectors are made of `blocks` blocks (one per input symbol of a
/// transducer; 1 for a process).
pub(super) fn fit_with_history(
    table: &CountTable,
    opts: &ReconstructOptions,
    blocks: usize,
) -> Result<(Fit, Vec<(usize, usize)>)> {
    opts.validate()?;
    let k = table.alphabet_size();
    if opts.window(k) > table.window() {
        return Err(CmechError::InvalidArgument(format!(
            "max history {} with method {} needs words of {} symbols but the counts go up to {}",
            opts.max_history,
            opts.method.name(),
            opts.window(k),
            table.window()
        )));
    }
    if table.symbols() == 0 {
        return Err(CmechError::InvalidArgument(
            "no symbols were counted".into(),
        ));
    }
    let counts = WordTables::new(table, opts.window(k), blocks)?;
    if counts.total(opts.max_history) == 0 {
        return Err(CmechError::InvalidArgument(format!(
            "no sequence is longer than the maximum history {}: nothing to learn transitions from",
            opts.max_history
        )));
    }
    // Past the Marton-Shields bound the longest histories are seen about once each, and the
    // result rests on shorter ones (a warning says so); twice past it nothing is left to test.
    let n = table.symbols();
    let h = estimated_entropy_rate(&counts);
    if let Some(bound) = supported_history(n, h).filter(|&b| opts.max_history > 2 * b) {
        return Err(CmechError::InvalidArgument(format!(
            "{n} symbols do not support histories of length {}: Marton-Shields gives L <= \
             log2 N / h = {bound} at an estimated entropy rate of {h:.3}, and histories over \
             twice that long are all seen once or never; use a maximum history length of at \
             most {bound}",
            opts.max_history
        )));
    }
    check_histories_sampled(&counts, opts.max_history)?;
    // Shortest first, so that a fit splitting without end is stopped where its states outgrow
    // the data, in seconds, not after the longest fit (CSSR at L = 40 on 3x10^5 symbols of the
    // Even process made 10^5 states and ran for many minutes).
    let mut states_by_history = Vec::with_capacity(opts.max_history);
    let mut fit = None;
    for l in 1..=opts.max_history {
        let f = opts.fit(&counts, l)?;
        let states = f.class.len();
        states_by_history.push((l, states));
        if states as u64 > n / MIN_SYMBOLS_PER_STATE {
            let by_l: Vec<String> = states_by_history
                .iter()
                .map(|(l, s)| format!("{l}:{s}"))
                .collect();
            return Err(CmechError::InvalidArgument(format!(
                "{} at L = {l} has {states} states for {n} symbols, fewer than \
                 {MIN_SYMBOLS_PER_STATE} symbols a state: its histories are too rare to test, \
                 and longer ones rarer; states by L {}; use a maximum history length below {l}, \
                 or no --method, --alpha, --test or --future for model selection",
                opts.method.name(),
                by_l.join(" ")
            )));
        }
        fit = Some(f);
    }
    Ok((fit.expect("max_history is at least 1"), states_by_history))
}

/// Symbols of data a state needs, at least, for a fit to go on to longer histories.
const MIN_SYMBOLS_PER_STATE: u64 = 10;

/// Counts of words of every length up to a window, by length.
pub(super) struct WordTables {
    pub(super) k: usize,
    /// Blocks of the next-symbol vectors (see [`homogeneity`]).
    pub(super) blocks: usize,
    /// `by_len[n - 1]` holds the words of length n.
    pub(super) by_len: Vec<WordCounts>,
}

impl WordTables {
    pub(super) fn new(table: &CountTable, window: usize, blocks: usize) -> Result<WordTables> {
        Ok(WordTables {
            k: table.alphabet_size(),
            blocks,
            by_len: table.counts_from(1)?.into_iter().take(window).collect(),
        })
    }

    /// Counts of each future of length `f` after a history, futures in code order.
    pub(super) fn future(&self, (len, code): History, f: usize) -> Vec<u64> {
        let width = (self.k as u64).pow(f as u32);
        let words = &self.by_len[len + f - 1];
        (0..width).map(|w| words.get(code * width + w)).collect()
    }

    /// Occurrences of histories of length `l` followed by a symbol.
    pub(super) fn total(&self, l: usize) -> u64 {
        self.by_len[l].total()
    }
}

/// A fitted partition of histories and the transitions between its classes.
pub(super) struct Fit {
    pub(super) edges: Vec<Vec<Edge>>,
    /// Occurrences of each state's maximal histories, by block of next symbols (by input).
    pub(super) block_mass: Vec<Vec<u64>>,
    /// The kept recurrent class, in state order.
    pub(super) class: Vec<usize>,
    pub(super) states_total: usize,
    pub(super) recurrent_mass: f64,
    pub(super) log_likelihood: f64,
}

impl Fit {
    /// Re-estimates the transition probabilities of the kept machine by maximum likelihood for its
    /// structure: each maximal history is read through the machine from every state, and when all
    /// the readings that survive end in one state (the history synchronises), its next-symbol counts
    /// go to that state. Grouping by short futures can place histories of two similar states
    /// together; the machine's own transitions place them where they belong.
    pub(super) fn refit_by_filtering(
        mut self,
        histories: impl Iterator<Item = History>,
        counts: &WordTables,
    ) -> Fit {
        let k = counts.k;
        let step = |s: usize, x: usize| self.edges[s].iter().find(|e| e.symbol == x).map(|e| e.to);
        let mut tallies: HashMap<usize, Vec<u64>> = HashMap::default();
        let mut total = 0u64;
        for (len, code) in histories {
            let next = counts.future((len, code), 1);
            total += next.iter().sum::<u64>();
            let mut at: Vec<usize> = self.class.clone();
            for i in (0..len).rev() {
                let x = ((code / (k as u64).pow(i as u32)) % k as u64) as usize;
                at = at.iter().filter_map(|&s| step(s, x)).collect();
                at.sort_unstable();
                at.dedup();
                if at.len() <= 1 {
                    // Once one reading is left it stays one (unifilar), or the history is foreign.
                    if let Some(&s) = at.first() {
                        let rest: Option<usize> = (0..i).rev().try_fold(s, |s, j| {
                            step(s, ((code / (k as u64).pow(j as u32)) % k as u64) as usize)
                        });
                        at = rest.into_iter().collect();
                    }
                    break;
                }
            }
            if let [s] = at[..] {
                let t = tallies.entry(s).or_insert_with(|| vec![0; k]);
                for (x, y) in t.iter_mut().zip(&next) {
                    *x += y;
                }
            }
        }
        let mut assigned = 0u64;
        let mut log_likelihood = 0.0;
        for &s in &self.class {
            let Some(t) = tallies.get(&s) else { continue };
            // Only symbols the structure allows count; the rest are data the machine cannot emit.
            let allowed: u64 = self.edges[s].iter().map(|e| t[e.symbol]).sum();
            assigned += allowed;
            // A state whose synchronised histories never took one of its edges keeps the grouped
            // estimate, so that no edge, and no part of the recurrent class, is lost.
            if self.edges[s].iter().any(|e| t[e.symbol] == 0) {
                continue;
            }
            self.block_mass[s] = vec![allowed];
            for e in self.edges[s].iter_mut() {
                e.p = t[e.symbol] as f64 / allowed as f64;
                log_likelihood += t[e.symbol] as f64 * e.p.log2();
            }
        }
        self.log_likelihood = log_likelihood;
        self.recurrent_mass = assigned as f64 / total.max(1) as f64;
        self
    }

    pub(super) fn machine(&self, alphabet: Vec<String>) -> Hmm {
        let n = self.edges.len();
        Hmm::from_parts(
            "reconstructed".into(),
            alphabet,
            (0..n).map(|s| format!("S{s}")).collect(),
            self.edges.clone(),
        )
        .restrict(&self.class)
    }
}

/// States as, per symbol, the count and successor of their maximal histories' transitions (no
/// successor where the successor history was never seen as a maximal one).
pub(super) struct Graph {
    moves: Vec<Vec<(u64, Option<usize>)>>,
    blocks: usize,
}

impl Graph {
    /// The graph of states given as sets of maximal histories.
    pub(super) fn of(
        members: &[Vec<History>],
        counts: &WordTables,
        successor: impl Fn(History, u64) -> Option<usize>,
    ) -> Graph {
        let moves = members
            .iter()
            .map(|hs| {
                let mut by_symbol: Vec<(u64, Option<usize>)> = vec![(0, None); counts.k];
                for &h in hs {
                    for (b, c) in counts.future(h, 1).into_iter().enumerate() {
                        if c > 0 {
                            by_symbol[b].0 += c;
                            by_symbol[b].1 = successor(h, b as u64);
                        }
                    }
                }
                by_symbol
            })
            .collect();
        Graph {
            moves,
            blocks: counts.blocks,
        }
    }

    fn mass(&self, s: usize) -> u64 {
        self.moves[s].iter().map(|m| m.0).sum()
    }

    /// The machine: edges weighted by counts, the heaviest closed class kept, and the data's
    /// log-likelihood under it. Without a closed class the histories of length `l` were too long
    /// for the data, which the error says with the length the data support.
    pub(super) fn fit(&self, counts: &WordTables, l: usize) -> Result<Fit> {
        let histories = counts.total(l);
        let n = self.moves.len();
        // A state none of whose observed symbols leads anywhere (its successors were transient
        // histories, dropped) is a dead end; so is one that leads only into dead ends. They go,
        // with the moves into them, as the original's last pass over connected components
        // removes them, and the rest is renormalised.
        let mut moves = self.moves.clone();
        loop {
            let dead: Vec<bool> = moves
                .iter()
                .map(|m| m.iter().all(|&(c, to)| c == 0 || to.is_none()))
                .collect();
            let mut changed = false;
            for m in moves.iter_mut() {
                for e in m.iter_mut() {
                    if e.1.is_some_and(|t| dead[t]) {
                        e.1 = None;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let block_mass: Vec<Vec<u64>> = moves
            .iter()
            .map(|by_symbol| {
                let width = by_symbol.len() / self.blocks;
                by_symbol
                    .chunks_exact(width)
                    .map(|block| block.iter().filter(|e| e.1.is_some()).map(|e| e.0).sum())
                    .collect()
            })
            .collect();
        let edges: Vec<Vec<Edge>> = moves
            .iter()
            .zip(&block_mass)
            .map(|(by_symbol, totals)| {
                // Probabilities are conditional on the block (a transducer's input).
                let width = by_symbol.len() / self.blocks;
                by_symbol
                    .iter()
                    .enumerate()
                    .filter_map(|(b, &(c, to))| {
                        to.map(|to| Edge {
                            symbol: b,
                            to,
                            p: c as f64 / totals[b / width] as f64,
                        })
                    })
                    .collect()
            })
            .collect();
        let adjacency: Vec<Vec<usize>> = edges
            .iter()
            .map(|r| r.iter().map(|e| e.to).collect())
            .collect();
        let class = graph::closed_components(&adjacency)
            .into_iter()
            .filter(|c| c.iter().all(|&s| !edges[s].is_empty()))
            .max_by_key(|c| c.iter().map(|&s| self.mass(s)).sum::<u64>())
            .ok_or_else(|| history_too_long(counts, l))?;
        let class_mass: u64 = class.iter().map(|&s| self.mass(s)).sum();
        let log_likelihood = class
            .iter()
            .flat_map(|&s| edges[s].iter().map(move |e| (s, e)))
            .map(|(s, e)| moves[s][e.symbol].0 as f64 * e.p.log2())
            .sum();
        Ok(Fit {
            edges,
            block_mass,
            class,
            states_total: n,
            recurrent_mass: class_mass as f64 / histories.max(1) as f64,
            log_likelihood,
        })
    }
}
