//! Causal-state splitting reconstruction as the original program runs it, step by step:
//! homogenisation, transient states dropped, determinisation.

use rustc_hash::FxHashMap as HashMap;

use super::fit::{Fit, Graph, WordTables};
use super::homogeneity::Tester;
use super::{History, ReconstructOptions};
use crate::error::Result;
use crate::graph;

/// CSSR with history length `l_max`, as the original program (Shalizi & Klinkner's CSSR 0.1.1)
/// runs it:
///
/// - Homogenisation, one history length at a time: a history joins its parent's state (the
///   state of the history without its oldest symbol) if the test accepts it there, else the first
///   other state, in order of creation, that accepts it; if none does, it founds a new state and
///   its parent and the parent's suffixes leave their states (they are not homogeneous any more).
///   States keep the counts of every history that ever joined them.
/// - Only histories of lengths L - 1 and L are kept.
/// - Transient states are dropped before determinisation: those outside the closed classes of the
///   graph whose edges go from each history of length L - 1 to the state of it extended by a
///   symbol (from its histories of length L, shortened first, for a state without histories of
///   length L - 1). Shortening loses what a long history knew, so those edges are trusted only
///   where nothing better exists; this is what keeps the mixtures of unsynchronised histories (all
///   1s in the even process) out of the machine.
/// - Determinisation: a state whose histories lead, on one symbol, to different states splits by
///   successor, the first history's successor keeping the state; a successor that was never seen
///   or was dropped constrains nothing. Repeated until no state splits.
///
/// Transition probabilities are those of the state's histories of length L (of L - 1 for a
/// state with none of length L).
pub(super) fn cssr(counts: &WordTables, l_max: usize, opts: &ReconstructOptions) -> Result<Fit> {
    let k = counts.k as u64;
    let next = |h: History| counts.future(h, 1);
    let tester = Tester::new(opts.test, opts.alpha, 1.0, counts.blocks);
    let root: History = (0, 0);
    let mut pooled: Vec<Vec<u64>> = vec![next(root)];
    let mut members: Vec<usize> = vec![1];
    let mut state_of: HashMap<History, usize> = [(root, 0)].into_iter().collect();

    // Homogenisation, over every history of each length that occurs.
    for l in 1..=l_max {
        let mut histories: Vec<u64> = counts.by_len[l].iter().map(|(code, _)| code / k).collect();
        histories.dedup();
        for code in histories {
            let child: History = (l, code);
            let c = next(child);
            let parent: History = (l - 1, code % k.pow(l as u32 - 1));
            let parent_state = state_of.get(&parent).copied();
            let accepts = |t: usize| tester.holds(&c, &pooled[t]);
            let target = match parent_state {
                Some(t) if accepts(t) => t,
                _ => match (0..pooled.len()).find(|&t| members[t] > 0 && accepts(t)) {
                    Some(t) => t,
                    None => {
                        // The parent and its suffixes, up to the first already gone, are not
                        // homogeneous any more: they leave their states.
                        let mut gone = parent;
                        while let Some(t) = state_of.remove(&gone) {
                            members[t] -= 1;
                            for (x, y) in pooled[t].iter_mut().zip(next(gone)) {
                                *x -= y;
                            }
                            if gone.0 <= 1 {
                                break;
                            }
                            gone = (gone.0 - 1, gone.1 % k.pow(gone.0 as u32 - 1));
                        }
                        pooled.push(vec![0; c.len()]);
                        members.push(0);
                        pooled.len() - 1
                    }
                },
            };
            members[target] += 1;
            for (x, y) in pooled[target].iter_mut().zip(&c) {
                *x += y;
            }
            state_of.insert(child, target);
        }
    }
    let shortest = l_max - 1;
    state_of.retain(|h, _| h.0 >= shortest);

    // The state a history leads to on a symbol: that of its extension, shortened to L.
    let lead = k.pow(l_max as u32);
    // As in the original, whether `h b` itself occurred does not matter: a history of length L
    // that was never followed by b still leads, on b, to the state of its suffix extended by b.
    let successor = |state_of: &HashMap<History, usize>, (_, code): History, b: u64| {
        state_of.get(&(l_max, (code * k + b) % lead)).copied()
    };
    let members_of = |state_of: &HashMap<History, usize>, states: usize| {
        let mut lists: Vec<Vec<History>> = vec![Vec::new(); states];
        for (&h, &s) in state_of {
            lists[s].push(h);
        }
        lists.iter_mut().for_each(|l| l.sort_unstable());
        lists
    };

    // Transient states.
    let lists = members_of(&state_of, pooled.len());
    let adjacency: Vec<Vec<usize>> = lists
        .iter()
        .map(|hs| {
            let trusted = if hs.iter().any(|h| h.0 == shortest) {
                shortest
            } else {
                l_max
            };
            hs.iter()
                .filter(|h| h.0 == trusted)
                .flat_map(|&h| (0..k).map(move |b| (h, b)))
                .filter_map(|(h, b)| successor(&state_of, h, b))
                .collect()
        })
        .collect();
    let mut recurrent = vec![false; pooled.len()];
    for class in graph::closed_components(&adjacency) {
        if class.iter().all(|&s| !lists[s].is_empty()) {
            class.into_iter().for_each(|s| recurrent[s] = true);
        }
    }
    state_of.retain(|_, s| recurrent[*s]);

    // Determinisation, by a worklist: a split changes the successors only of the histories that
    // lead into the moved ones, so only their states are looked at again.
    let mut lists = members_of(&state_of, pooled.len());
    let mut queue: std::collections::VecDeque<usize> = (0..lists.len()).collect();
    let mut queued = vec![true; lists.len()];
    while let Some(s) = queue.pop_front() {
        queued[s] = false;
        for b in 0..k {
            let mut pilot = None;
            let mut moving: Vec<(usize, Vec<History>)> = Vec::new();
            for &h in &lists[s] {
                let Some(to) = successor(&state_of, h, b) else {
                    continue;
                };
                match pilot {
                    None => pilot = Some(to),
                    Some(p) if p == to => {}
                    Some(_) => match moving.iter_mut().find(|m| m.0 == to) {
                        Some(m) => m.1.push(h),
                        None => moving.push((to, vec![h])),
                    },
                }
            }
            if moving.is_empty() {
                continue;
            }
            let mut touched = vec![s];
            for (_, group) in moving {
                let id = lists.len();
                for &h in &group {
                    state_of.insert(h, id);
                    if h.0 == l_max {
                        // Who leads into h: h without its last symbol, as a history of length
                        // L - 1 or preceded by any symbol.
                        let stem = h.1 / k;
                        let preds = (0..k).map(|x| (l_max, x * lead / k + stem));
                        touched.extend(
                            preds
                                .chain([(shortest, stem)])
                                .filter_map(|p| state_of.get(&p).copied()),
                        );
                    }
                }
                lists.push(group);
                queued.push(false);
                touched.push(id);
            }
            lists[s].retain(|h| state_of[h] == s);
            for t in touched {
                if !queued[t] {
                    queued[t] = true;
                    queue.push_back(t);
                }
            }
            break;
        }
    }
    let states = lists.len();

    // Live states numbered in order of creation.
    let all = lists;
    let live: Vec<usize> = (0..states).filter(|&s| !all[s].is_empty()).collect();
    let mut number = vec![usize::MAX; states];
    live.iter().enumerate().for_each(|(i, &s)| number[s] = i);
    let weighed: Vec<Vec<History>> = live
        .iter()
        .map(|&s| {
            let len = if all[s].iter().any(|h| h.0 == l_max) {
                l_max
            } else {
                shortest
            };
            all[s].iter().copied().filter(|h| h.0 == len).collect()
        })
        .collect();
    // Any member's successor serves: after determinisation they agree.
    let to = |h: History, b: u64| {
        all[state_of[&h]]
            .iter()
            .find_map(|&m| successor(&state_of, m, b))
            .map(|t| number[t])
    };
    Graph::of(&weighed, counts, to).fit(counts, l_max)
}
