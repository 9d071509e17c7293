//! Minimisation: from any presentation of a process to its epsilon-machine, the minimal unifilar
//! presentation of its recurrent part.

use std::collections::HashMap;

use crate::error::{CmechError, Result};
use crate::mixed_state::{ExploreLimits, FutureBasis, Identify, MixedStatePresentation};
use crate::presentation::{Edge, Hmm};

/// Beyond this many mixed states a nonunifilar presentation is taken to have no finite
/// epsilon-machine (as for Mess3 or the simple nonunifilar source).
pub const MAX_DETERMINIZED_STATES: usize = 5000;

/// Probabilities equal within this are the same when comparing futures.
pub(crate) const PROBABILITY_RESOLUTION: f64 = 1e-9;

impl Hmm {
    /// The epsilon-machine of the process this presentation generates.
    ///
    /// A unifilar presentation is restricted to its recurrent class and states with identical futures
    /// are merged (partition refinement). A nonunifilar one is first determinised through its
    /// mixed-state presentation from the stationary distribution, which must close within
    /// [`MAX_DETERMINIZED_STATES`] beliefs. Merged states keep the name of their first member.
    pub fn minimize(&self) -> Result<Hmm> {
        // Moore's algorithm below already merges the identical futures of a unifilar presentation.
        let lumped = if self.is_unifilar() {
            self.clone()
        } else {
            lump_identical_futures(self, &FutureBasis::new(self))
        };
        let recurrent = if lumped.is_unifilar() {
            lumped.restrict(&lumped.recurrent_class()?)
        } else {
            let pi = lumped.stationary_distribution()?;
            let basis = FutureBasis::new(&lumped);
            let msp = MixedStatePresentation::explore(
                &lumped,
                &pi,
                &ExploreLimits::closure(MAX_DETERMINIZED_STATES),
                Identify::Prediction(&basis),
            )?;
            if !msp.is_closed() {
                return Err(CmechError::Unsupported(format!(
                    "'{}' is nonunifilar and its mixed-state presentation does not close within {} \
                     beliefs: no finite epsilon-machine was found (the process may have none, as \
                     Mess3 and the SNS do, or one its observers reach only asymptotically)",
                    self.name(),
                    MAX_DETERMINIZED_STATES
                )));
            }
            msp.recurrent_part(&lumped)?
        };
        let (merged, _) = merge_equivalent_states(&recurrent);
        Ok(merged.with_name(self.name()))
    }
}

/// Lumps states whose futures are identical into one, keeping the first member's name and edges
/// (any member's edges generate the block's future, so the lumped presentation generates the same
/// process). A nonunifilar presentation with redundant states often becomes unifilar this way.
fn lump_identical_futures(hmm: &Hmm, basis: &FutureBasis) -> Hmm {
    let block = relabel(
        &(0..hmm.num_states())
            .map(|i| basis.state_key(i))
            .collect::<Vec<_>>(),
    );
    if block.iter().max().map_or(0, |m| m + 1) == hmm.num_states() {
        return hmm.clone();
    }
    quotient(hmm, &block)
}

/// The presentation on blocks of states (numbered 0..), each block keeping the name and edges of its
/// first member, with edges redirected to blocks and parallel edges summed. Valid whenever the
/// members of a block have identical futures.
fn quotient(hmm: &Hmm, block: &[usize]) -> Hmm {
    let count = block.iter().max().map_or(0, |m| m + 1);
    let first = first_members(block, count);
    let edges = first
        .iter()
        .map(|&i| {
            let mut row: Vec<Edge> = Vec::new();
            for e in hmm.edges(i) {
                match row
                    .iter_mut()
                    .find(|f| f.symbol == e.symbol && f.to == block[e.to])
                {
                    Some(f) => f.p += e.p,
                    None => row.push(Edge {
                        to: block[e.to],
                        ..*e
                    }),
                }
            }
            row
        })
        .collect();
    Hmm::from_parts(
        hmm.name().to_string(),
        hmm.alphabet().to_vec(),
        first.iter().map(|&i| hmm.states()[i].clone()).collect(),
        edges,
    )
}

/// Merges the states of a unifilar presentation that have identical futures. Returns the merged
/// presentation and, for each original state, the index of its merged state.
pub(crate) fn merge_equivalent_states(hmm: &Hmm) -> (Hmm, Vec<usize>) {
    let n = hmm.num_states();
    let quantise = |p: f64| (p / PROBABILITY_RESOLUTION).round() as i64;
    // Start from the next-symbol distributions, then split by the blocks successors fall in until
    // nothing changes (Moore's algorithm).
    let mut block: Vec<usize> = relabel(
        &(0..n)
            .map(|i| {
                (0..hmm.num_symbols())
                    .map(|x| quantise(hmm.emission(i, x)))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>(),
    );
    loop {
        let signatures: Vec<(usize, Vec<(usize, usize)>)> = (0..n)
            .map(|i| {
                (
                    block[i],
                    hmm.edges(i)
                        .iter()
                        .map(|e| (e.symbol, block[e.to]))
                        .collect(),
                )
            })
            .collect();
        let next = relabel(&signatures);
        let done = next.iter().max() == block.iter().max();
        block = next;
        if done {
            break;
        }
    }
    let merged = quotient(hmm, &block);
    (merged, block)
}

/// The first state of each of the `count` blocks (numbered 0..) that `block` puts the states
/// in: the member whose name and edges the block keeps in a quotient.
pub(crate) fn first_members(block: &[usize], count: usize) -> Vec<usize> {
    let mut first = vec![usize::MAX; count];
    for (i, &b) in block.iter().enumerate() {
        if first[b] == usize::MAX {
            first[b] = i;
        }
    }
    first
}

/// Numbers distinct values 0, 1, ... in order of first appearance.
pub(crate) fn relabel<T: std::hash::Hash + Eq + Clone>(values: &[T]) -> Vec<usize> {
    let mut ids: HashMap<T, usize> = HashMap::new();
    values
        .iter()
        .map(|v| {
            let next = ids.len();
            *ids.entry(v.clone()).or_insert(next)
        })
        .collect()
}
