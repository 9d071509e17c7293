//! Refinement by likelihood: the step from the best history-based fit to the machine the data
//! favour, for the hard machines.
//!
//! CSSR and the forward method decide states from the next-symbol statistics of suffix histories
//! of at most L symbols. When two states predict nearly alike, or a process synchronises slowly,
//! no L is right: a short one merges states the data tell apart, a long one splits each state into
//! many classes of histories too rare for the tests to reunite, and the selection can only choose
//! among their mistakes. Refinement starts from the selected machine and moves through
//! neighbouring unifilar structures, keeping a move only when it lowers the BIC of the counted
//! data (the selection's own criterion), until no move does:
//!
//! - **merge** two states and fold: wherever the two have an edge on the same symbol, the targets
//!   are merged too, so the machine stays unifilar. A machine split too finely comes back down
//!   this way, and a fit that cannot produce the data (an edge missing from a state) can gain it
//!   from the state it is merged with.
//! - **split** a state by the edges that enter it: the edges fall into two groups whose next
//!   symbols differ most, each group leading to its own copy of the state. States merged wrongly
//!   come apart this way, one symbol of history further back at each split, whatever L the fits
//!   reached.
//!
//! Scoring every neighbour in full would cost a walk over the data each; instead each move's gain
//! is first estimated from counts along the machine's synchronised path, which are exact for the
//! part of the data the machine is synchronised on: a merged machine's path is the image of the
//! machine's, so its counts are sums of the machine's; a split's next symbols are the counts after
//! each entering edge. Only the few most promising moves are then scored in full, and re-estimated
//! by maximum likelihood, before one is kept. A machine too large for the pairwise screen
//! (`states^2 * symbols` above [`MAX_PAIR_WORK`]) is not refined.
//!
//! Before the local moves, the selection tries one global move, [`collapse`]: the chosen machine's
//! states clustered by what they predict, for fits that hold each true state as one heavy state
//! among many light mixtures of states, where no single merge lowers the BIC (see its module).
//!
//! The parts: `collapse` holds the clustering; `moves` holds the machine's shape, the moves on it
//! and their estimates; the search that scores the most promising in full and keeps one at a time
//! is here.

mod collapse;
mod moves;

pub(crate) use collapse::collapse;

use crate::error::{CmechError, Result};
use crate::presentation::Hmm;

use super::score::{parameters, Score, ScoreData, Tallies};
use super::select::{bic, polish, TIE_BITS};
use moves::{apply, Move, Shape};

/// Most pairs screened before folding (`states^2 * symbols`): beyond it a machine is returned as
/// the fits left it.
pub const MAX_PAIR_WORK: usize = 1 << 26;

/// Moves scored in full per round, best estimate first.
const TRIES: usize = 4;

/// The largest machine whose moves are scored in full (each costs a walk over the data, which
/// grows with the states an observer is unsure between): a larger one only comes down by the
/// estimated merges.
pub const MAX_REFINED_STATES: usize = 100;

/// Moved machines scored in full, at most, over the whole refinement: it bounds the cost at
/// some 200 walks over the data (a 10-state truth from a near miss takes a few to twenty).
const MAX_ATTEMPTS: usize = 60;

/// What refinement did to a candidate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refinement {
    /// Index of the candidate refined.
    pub from: usize,
    /// States removed by collapse: clustered on their predictions into fewer.
    #[serde(default)]
    pub clustered: usize,
    /// Pairs of states merged (each fold counted once).
    pub merges: usize,
    /// States split.
    pub splits: usize,
    /// Edges sent to another state.
    pub redirects: usize,
    /// Edges removed.
    pub pruned: usize,
}

impl Refinement {
    /// The moves kept, in words ("2 merged, 1 split").
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            (self.clustered, "collapsed"),
            (self.merges, "merged"),
            (self.splits, "split"),
            (self.redirects, "redirected"),
            (self.pruned, "edges pruned"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        parts.join(", ")
    }
}

/// A refined machine, its score on the counted data and what was done to it.
pub(crate) struct Refined {
    pub(crate) machine: Hmm,
    pub(crate) score: Score,
    pub(crate) moves: Refinement,
}

/// The polished moved machine, `None` when the move broke it (it left several recurrent
/// classes, say): a move to reject, not an error of the data.
fn attempt(machine: &Hmm, data: &ScoreData) -> Result<Option<(Hmm, Score, Tallies)>> {
    match polish(machine, data) {
        Ok(p) => Ok(Some(p)),
        Err(CmechError::InvalidArgument(_) | CmechError::Unsupported(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Refines `start`, candidate `from` (see the module's documentation); `None` when no move
/// lowers its BIC.
pub(crate) fn refine(start: &Hmm, from: usize, data: &ScoreData) -> Result<Option<Refined>> {
    let (mut machine, mut score, mut tallies) = polish(start, data)?;
    let log_n = (score.symbols.max(2) as f64).log2();
    // Merges are kept while within a tie of the lowest BIC yet, not of the last, so that ties do
    // not add up.
    let mut best = bic(score.log_likelihood, parameters(&machine), score.symbols);
    let first = best;
    let mut lowest = best;
    let mut moves = Refinement {
        from,
        ..Refinement::default()
    };
    // A machine split far too finely first comes down by its estimates alone, one walk over the
    // data for all its merges.
    if let Some(shape) = Shape::new(&machine, &tallies) {
        let mut down = shape.clone();
        loop {
            let merge = down.merges(log_n).into_iter().find(|(_, c)| *c < 0.0);
            match merge {
                Some((m, _)) => down = apply(&down, &m),
                None => break,
            }
        }
        let merged = match down.states() < shape.states() {
            true => attempt(&down.machine(&machine), data)?,
            false => None,
        };
        if let Some((m, s, t)) = merged {
            let b = bic(s.log_likelihood, parameters(&m), s.symbols);
            if b <= lowest + TIE_BITS {
                moves.merges += shape.states() - down.states();
                (machine, score, tallies, best) = (m, s, t, b);
                lowest = lowest.min(b);
            }
        }
    }
    let mut attempts = 0;
    while attempts < MAX_ATTEMPTS {
        if machine.num_states() > MAX_REFINED_STATES {
            break;
        }
        let Some(shape) = Shape::new(&machine, &tallies) else {
            break;
        };
        let mut kept = false;
        let proposals = shape.moves(log_n);
        let tries = TRIES.min(MAX_ATTEMPTS - attempts);
        for (m, _) in proposals.iter().filter(|(_, c)| *c < TIE_BITS).take(tries) {
            attempts += 1;
            let Some((next, s, t)) = attempt(&apply(&shape, m).machine(&machine), data)? else {
                continue;
            };
            let b = bic(s.log_likelihood, parameters(&next), s.symbols);
            let keep = match m {
                Move::Merge { .. } => {
                    next.num_states() < machine.num_states() && b <= lowest + TIE_BITS
                }
                Move::Prune { .. } => b <= lowest + TIE_BITS,
                Move::Split { .. } | Move::Redirect { .. } => b < best - TIE_BITS,
            };
            if keep {
                match m {
                    Move::Merge { .. } => moves.merges += machine.num_states() - next.num_states(),
                    Move::Split { .. } => moves.splits += 1,
                    Move::Redirect { .. } => moves.redirects += 1,
                    Move::Prune { edges } => moves.pruned += edges.len(),
                }
                (machine, score, tallies, best) = (next, s, t, b);
                lowest = lowest.min(b);
                kept = true;
                break;
            }
        }
        if !kept {
            break;
        }
    }
    Ok(
        (moves.merges + moves.splits + moves.redirects + moves.pruned > 0
            && best <= first + TIE_BITS)
            .then_some(Refined {
                machine,
                score,
                moves,
            }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::CountTable;
    use crate::presentation::Edge;
    use crate::reconstruct::WordTables;

    /// The counted data of `n` symbols of `truth`, scored as the selection scores them.
    fn data(truth: &Hmm, n: usize, window: usize) -> ScoreData {
        let seq: Vec<u32> = truth
            .sample(n, 7)
            .unwrap()
            .into_iter()
            .map(|x| x as u32)
            .collect();
        let k = truth.num_symbols();
        let mut table = CountTable::new(k, window).unwrap();
        table.add_sequence(&seq).unwrap();
        let counts = WordTables::new(&table, window, 1).unwrap();
        ScoreData::new(k, &counts.by_len, table.end_words()).unwrap()
    }

    fn machine(alphabet: &[&str], edges: &[(usize, usize, usize, f64)], states: usize) -> Hmm {
        let mut rows = vec![Vec::new(); states];
        for &(from, symbol, to, p) in edges {
            rows[from].push(Edge { symbol, to, p });
        }
        Hmm::from_parts(
            "test".into(),
            alphabet.iter().map(|s| s.to_string()).collect(),
            (0..states).map(|s| format!("S{s}")).collect(),
            rows,
        )
    }

    fn golden_mean() -> Hmm {
        machine(
            &["0", "1"],
            &[(0, 0, 1, 0.5), (0, 1, 0, 0.5), (1, 1, 0, 1.0)],
            2,
        )
    }

    #[test]
    fn the_independent_symbols_machine_splits_into_the_golden_mean() {
        let truth = golden_mean();
        let d = data(&truth, 200_000, 8);
        let iid = machine(
            &["0", "1"],
            &[(0, 0, 0, 1.0 / 3.0), (0, 1, 0, 2.0 / 3.0)],
            1,
        );
        let r = refine(&iid, 0, &d)
            .unwrap()
            .expect("a split lowers the BIC");
        assert!(
            r.machine.is_isomorphic(&truth, 0.01),
            "{}",
            r.machine.to_json()
        );
        assert!(r.moves.splits >= 1, "{:?}", r.moves);
    }

    #[test]
    fn a_state_split_in_two_is_merged_back() {
        // The golden mean with its state 0 copied: the copies predict alike, so the data cannot
        // tell them apart and the merge saves a parameter.
        let truth = golden_mean();
        let d = data(&truth, 200_000, 8);
        let doubled = machine(
            &["0", "1"],
            &[
                (0, 0, 1, 0.49),
                (0, 1, 2, 0.51),
                (2, 0, 1, 0.5),
                (2, 1, 0, 0.5),
                (1, 1, 2, 1.0),
            ],
            3,
        );
        let r = refine(&doubled, 0, &d)
            .unwrap()
            .expect("a merge lowers the BIC");
        assert!(
            r.machine.is_isomorphic(&truth, 0.01),
            "{}",
            r.machine.to_json()
        );
        assert!(r.moves.merges >= 1);
    }

    #[test]
    fn an_edge_the_process_never_takes_is_pruned() {
        let truth = golden_mean();
        let d = data(&truth, 200_000, 8);
        // State 1 may also emit 0, which the process never does.
        let spurious = machine(
            &["0", "1"],
            &[
                (0, 0, 1, 0.5),
                (0, 1, 0, 0.5),
                (1, 0, 0, 1e-5),
                (1, 1, 0, 1.0 - 1e-5),
            ],
            2,
        );
        let r = refine(&spurious, 0, &d)
            .unwrap()
            .expect("pruning lowers the BIC");
        assert!(
            r.machine.is_isomorphic(&truth, 0.01),
            "{}",
            r.machine.to_json()
        );
        assert_eq!(r.moves.pruned, 1);
    }

    /// The order-`l` Markov chain as a unifilar machine on binary words: a state per word of
    /// `l` symbols, their probabilities all different (so that no two states are one before the
    /// data are seen) and as wrong as a short fit's.
    fn chain(l: u32) -> Hmm {
        let n = 1usize << l;
        let edges: Vec<(usize, usize, usize, f64)> = (0..n)
            .flat_map(|w| {
                let p = 0.3 + 0.4 * w as f64 / n as f64;
                [
                    (w, 0, (w << 1) & (n - 1), p),
                    (w, 1, ((w << 1) | 1) & (n - 1), 1.0 - p),
                ]
            })
            .collect();
        machine(&["0", "1"], &edges, n)
    }

    /// Collapse, then the local moves, from `start`: the selection's two steps.
    fn collapse_and_refine(start: &Hmm, d: &ScoreData) -> Hmm {
        let c = collapse(start, 0, d)
            .unwrap()
            .expect("clusters of states lower the BIC");
        assert!(c.moves.clustered > 0, "{:?}", c.moves);
        match refine(&c.machine, 1, d).unwrap() {
            Some(r) => r.machine,
            None => c.machine,
        }
    }

    #[test]
    fn the_golden_mean_comes_back_from_its_order_four_chain() {
        let truth = golden_mean();
        let d = data(&truth, 200_000, 8);
        let m = collapse_and_refine(&chain(4), &d);
        assert!(m.is_isomorphic(&truth, 0.01), "{}", m.to_json());
    }

    #[test]
    fn the_even_process_comes_back_from_its_order_six_chain() {
        // No history of 1s alone tells the Even process's two states apart, so the chain's state
        // 111111 is a mixture of both: collapse gives it to one of them, and the machine of two
        // clusters follows the data as the Even process does.
        let truth = machine(
            &["0", "1"],
            &[(0, 0, 0, 0.5), (0, 1, 1, 0.5), (1, 1, 0, 1.0)],
            2,
        );
        let d = data(&truth, 200_000, 10);
        let m = collapse_and_refine(&chain(6), &d);
        assert!(m.is_isomorphic(&truth, 0.01), "{}", m.to_json());
    }

    #[test]
    fn the_true_machine_is_left_alone() {
        let truth = golden_mean();
        let d = data(&truth, 200_000, 8);
        assert!(refine(&truth, 0, &d).unwrap().is_none());
        assert!(collapse(&truth, 0, &d).unwrap().is_none());
    }
}
