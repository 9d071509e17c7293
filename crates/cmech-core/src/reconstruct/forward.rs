//! The forward method: CSSR's statistics without its successor rule, so that processes of
//! infinite Markov order whose unsynchronised histories are not transient (RRXOR) do not split
//! into ever more states.

use rustc_hash::FxHashMap as HashMap;

use super::fit::{Fit, Graph, WordTables};
use super::homogeneity::Tester;
use super::{History, ReconstructOptions};
use crate::error::{CmechError, Result};
use crate::memory;

/// Histories seen fewer times carry too little evidence for the forward method to place them.
pub const MIN_OCCURRENCES: u64 = 5;

/// Most future counts the forward method holds (1 GiB).
const MAX_FUTURE_COUNTS: usize = 1 << 27;

/// The forward method with history length `l_max` and future length `f`.
///
/// CSSR's determinisation takes the successor of `h` on `b` to be the state of `h b` without its
/// oldest symbol. On a process of infinite Markov order that symbol can be what synchronised the
/// observer (for Even, the successor of 0111 on 1 is 1111, whose parity is unknown); CSSR's
/// transient rule saves Even, whose unsynchronised histories form one transient state, but not
/// RRXOR, where they lead back and forth among states that keep splitting. Here the maximal histories are first grouped by the distribution of
/// their next `f` symbols, heaviest first, so that the groups stand for causal states and for the
/// mixtures that unsynchronised histories form. A successor `h b` goes to the group of `h b`
/// shortened if its own futures fit that group's, and otherwise to the group they fit best. Groups
/// whose histories disagree with the group's weighted majority on where a symbol leads are split
/// (Moore's refinement, robust to the few histories whose short futures mislead), until stable.
/// States of the machine are the final groups; its recurrent part excludes the mixtures, which
/// only lead into it.
pub(super) fn forward(
    counts: &WordTables,
    l_max: usize,
    f: usize,
    opts: &ReconstructOptions,
) -> Result<Fit> {
    let k = counts.k as u64;
    let lead = k.pow(l_max as u32);
    let width = u32::try_from(f)
        .ok()
        .and_then(|f| k.checked_pow(f))
        .and_then(|w| usize::try_from(w).ok())
        .unwrap_or(usize::MAX);
    let mut nodes: Vec<(History, u64)> = counts.by_len[l_max]
        .iter()
        .map(|(code, _)| (l_max, code / k))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|h| (h, counts.future(h, 1).iter().sum::<u64>()))
        .filter(|&(_, m)| m >= MIN_OCCURRENCES)
        .collect();
    if nodes.is_empty() {
        return Err(CmechError::InvalidArgument(format!(
            "no history of length {l_max} occurs {MIN_OCCURRENCES} times: the data are too short \
             for this history length"
        )));
    }
    // Each history holds the counts of its futures, its k successors theirs, and its group as
    // many again: dense over the k^f futures, so f = 30 on binary data is 2^30 counts a history
    // (16.7 GB for -L 30 on 3x10^5 symbols). Refused before any is made.
    memory::within(
        &format!(
            "the forward method at history length {l_max} ({} histories, each with futures of \
             {f} symbols over {k})",
            nodes.len()
        ),
        nodes.len() as u128 * (counts.k as u128 + 2) * width as u128,
        MAX_FUTURE_COUNTS,
        std::mem::size_of::<u64>(),
        "use a shorter future length (or history length)",
    )?;
    nodes.sort_by_key(|&(h, m)| (std::cmp::Reverse(m), h));
    let index: HashMap<History, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, &(h, _))| (h, i))
        .collect();
    let futures: Vec<Vec<u64>> = nodes.iter().map(|&(h, _)| counts.future(h, f)).collect();
    let nexts: Vec<Vec<u64>> = nodes.iter().map(|&(h, _)| counts.future(h, 1)).collect();
    let tester = Tester::new(opts.test, opts.alpha, f as f64, 1);

    // Groups by futures. The histories that false rejections would split off are those that look
    // different in these very counts: only a difference surviving a Bonferroni correction over all
    // histories founds a group.
    let founding = Tester::new(
        opts.test,
        opts.alpha / nodes.len().max(1) as f64,
        f as f64,
        1,
    );
    let mut group = vec![0usize; nodes.len()];
    let mut pooled: Vec<Vec<u64>> = Vec::new();
    for (i, fut) in futures.iter().enumerate() {
        let best = (0..pooled.len())
            .filter_map(|g| founding.accepts(fut, &pooled[g]).map(|p| (g, p)))
            .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)));
        group[i] = match best {
            Some((g, _)) => g,
            None => {
                pooled.push(vec![0; width]);
                pooled.len() - 1
            }
        };
        for (x, y) in pooled[group[i]].iter_mut().zip(fut) {
            *x += y;
        }
    }

    // Successors of each history, then refinement, until no group splits.
    let own: Vec<Vec<Vec<u64>>> = nodes
        .iter()
        .map(|&((_, code), _)| {
            (0..k)
                .map(|b| counts.future((l_max + 1, code * k + b), f))
                .collect()
        })
        .collect();
    loop {
        let groups = group.iter().max().map_or(0, |&g| g + 1);
        let mut pooled = vec![vec![0u64; width]; groups];
        for (i, fut) in futures.iter().enumerate() {
            for (x, y) in pooled[group[i]].iter_mut().zip(fut) {
                *x += y;
            }
        }
        let mut targets: Vec<Vec<Option<usize>>> = (0..nodes.len())
            .map(|i| {
                (0..k as usize)
                    .map(|b| {
                        if nexts[i][b] == 0 {
                            return None;
                        }
                        let code = (nodes[i].0 .1 * k + b as u64) % lead;
                        let shortened = index.get(&(l_max, code)).map(|&j| group[j]);
                        let fut = &own[i][b];
                        if fut.iter().sum::<u64>() == 0
                            || shortened.is_some_and(|g| tester.holds(fut, &pooled[g]))
                        {
                            return shortened;
                        }
                        (0..groups)
                            .filter(|&g| pooled[g].iter().any(|&c| c > 0))
                            .filter_map(|g| tester.accepts(fut, &pooled[g]).map(|p| (g, p)))
                            .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)))
                            .map(|(g, _)| g)
                            .or(shortened)
                    })
                    .collect()
            })
            .collect();
        let mut votes: Vec<Vec<HashMap<Option<usize>, u64>>> =
            vec![vec![HashMap::default(); k as usize]; groups];
        for i in 0..nodes.len() {
            for b in 0..k as usize {
                if nexts[i][b] > 0 {
                    *votes[group[i]][b].entry(targets[i][b]).or_insert(0) += nexts[i][b];
                }
            }
        }
        let majority: Vec<Vec<Option<usize>>> = votes
            .iter()
            .map(|per_symbol| {
                per_symbol
                    .iter()
                    .map(|v| {
                        v.iter()
                            .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
                            .and_then(|(&to, _)| to)
                    })
                    .collect()
            })
            .collect();
        let mut fresh: HashMap<(usize, Vec<Option<usize>>), usize> = HashMap::default();
        let mut next_group = groups;
        let mut changed = false;
        for i in 0..nodes.len() {
            let g = group[i];
            // A history leaves its group only on evidence: its successor's futures must not fit
            // where the group's majority goes. With few counts, most histories carry none.
            let agrees = (0..k as usize).all(|b| {
                nexts[i][b] == 0
                    || targets[i][b] == majority[g][b]
                    || majority[g][b].is_some_and(|m| tester.holds(&own[i][b], &pooled[m]))
            });
            if agrees {
                for b in 0..k as usize {
                    if nexts[i][b] > 0 {
                        targets[i][b] = majority[g][b];
                    }
                }
            }
            if !agrees {
                let key = (g, targets[i].clone());
                group[i] = *fresh.entry(key).or_insert_with(|| {
                    next_group += 1;
                    next_group - 1
                });
                changed = true;
            }
        }
        if !changed {
            // Number the groups that kept members consecutively.
            let mut renumber: HashMap<usize, usize> = HashMap::default();
            let mut members: Vec<Vec<History>> = Vec::new();
            for (i, &(h, _)) in nodes.iter().enumerate() {
                let id = *renumber.entry(group[i]).or_insert_with(|| {
                    members.push(Vec::new());
                    members.len() - 1
                });
                members[id].push(h);
            }
            let target = |h: History, b: u64| targets[index[&h]][b as usize].map(|g| renumber[&g]);
            let fit = Graph::of(&members, counts, target).fit(counts, l_max)?;
            return Ok(fit.refit_by_filtering(nodes.iter().map(|&(h, _)| h), counts));
        }
    }
}
