//! Measures of a finite epsilon-machine: h_mu and C_mu in closed form, E, T and S from the
//! transient part of the mixed-state presentation (or as sums over levels with h_mu known), chi
//! and the cryptic order from the reverse epsilon-machine, and the Markov and cryptic orders from
//! how the supports of beliefs evolve.

use std::collections::{BTreeSet, HashSet};

use super::{
    block_entropies, state_uncertainty, MeasureOptions, Measures, Order, Quantity, Status,
};
use crate::entropy::entropy;
use crate::error::Result;
use crate::linalg;
use crate::minimize::{merge_equivalent_states, MAX_DETERMINIZED_STATES};
use crate::mixed_state::{
    level_statistics, level_statistics_until, next_symbol_entropy, ExploreLimits, Identify,
    LevelStatistics, MixedStatePresentation, MAX_BELIEF_COMPONENTS,
};
use crate::presentation::{Edge, Hmm};

/// Largest transient part of a mixed-state presentation solved exactly (a dense solve is cubic).
const MAX_TRANSIENT_BELIEFS: usize = 2000;
/// Largest total size of a family of belief supports tracked when deciding an order.
const MAX_SUPPORT_FAMILY: usize = 1_000_000;
/// Largest total size of the families held to detect a repeat (every family of every length so
/// far): a 10,000-state cycle held gigabytes of them before one grew past [`MAX_SUPPORT_FAMILY`].
const MAX_SUPPORTS_HELD: usize = 4 * MAX_SUPPORT_FAMILY;
/// A belief with this much mass on one state is synchronised.
const SYNCHRONISED: f64 = 1.0 - 1e-12;

/// Explore until closed within `max_nodes` nodes, and within [`MAX_BELIEF_COMPONENTS`] numbers of
/// beliefs: every node holds a belief over the `states`, so a machine of thousands of states
/// (a period-10,000 cycle took 4.3 GB) explores fewer nodes, and what does not close within them
/// is approached instead.
fn closure(max_nodes: usize, states: usize) -> ExploreLimits {
    ExploreLimits::closure(max_nodes.min(MAX_BELIEF_COMPONENTS / states.max(1)))
}

/// Measures of an epsilon-machine (unifilar, minimal, strongly connected).
pub(super) fn exact_measures(eps: &Hmm, opts: &MeasureOptions) -> Result<Measures> {
    let n = eps.num_states();
    let pi = eps.stationary_distribution()?;
    let h_mu: f64 = (0..n)
        .map(|i| pi[i] * entropy(eps.edges(i).iter().map(|e| e.p)))
        .sum();
    let c_mu = entropy(pi.iter().copied());
    let entropy_rate = Quantity::exact(
        h_mu,
        "closed form on the epsilon-machine: sum_s pi(s) H[X | s]",
    );
    let statistical_complexity = Quantity::exact(
        c_mu,
        "closed form: entropy of the epsilon-machine's stationary distribution",
    );

    let stats = level_statistics(
        eps,
        &[(1.0, pi.clone())],
        opts.block_length,
        opts.belief_budget,
    );
    let (block_entropies, block_entropies_exact) = block_entropies(&stats, opts.block_length);
    let state_uncertainty = state_uncertainty(&stats, opts.block_length);

    let transient = transient_sums(eps, &pi);
    let reverse = ReverseMachine::build(eps, &pi);

    let (excess_entropy, transient_information, synchronization_information) = match &transient {
        Some(t) => {
            let how = format!(
                "exact: expected visits to the {} transient beliefs of the mixed-state presentation",
                t.beliefs
            );
            (
                Quantity::exact(t.excess_entropy, how.clone()),
                Quantity::exact(t.transient_information, how.clone()),
                Quantity::exact(t.synchronization_information, how),
            )
        }
        None => {
            let deep = level_statistics_until(
                eps,
                &[(1.0, pi.clone())],
                opts.max_depth,
                opts.belief_budget,
                |l, st| settled(l, st, h_mu, opts.tolerance),
            );
            let (e, t, s) = sums_with_known_rate(&deep, h_mu, c_mu, opts.tolerance);
            let e = match &reverse {
                Some(r) => Quantity::exact(
                    r.excess_entropy(&pi),
                    format!(
                        "exact: I[forward; reverse causal states] with the {}-state reverse epsilon-machine",
                        r.states()
                    ),
                ),
                None => e,
            };
            (e, t, s)
        }
    };

    let crypticity = match (&excess_entropy.value, excess_entropy.status) {
        // Below 1e-10 a difference is the residue of snapping nearly certain beliefs, not crypticity.
        (Some(e), Status::Exact) => Quantity::exact(
            if c_mu - e < 1e-10 { 0.0 } else { c_mu - e },
            "C_mu - E, both exact",
        ),
        (Some(e), _) => Quantity {
            value: Some((c_mu - e).max(0.0)),
            method: "C_mu - E with E approached".into(),
            bounds: excess_entropy
                .bounds
                .map(|[lo, hi]| [(c_mu - hi).max(0.0), (c_mu - lo).max(0.0)]),
            ..excess_entropy.clone()
        },
        _ => Quantity::without_value(Status::Unknown, "E is unknown"),
    };

    let markov_order = match order_from_supports(eps, |fam| fam.iter().all(|s| s.len() == 1)) {
        SupportOrder::Finite(r) => Order::new(
            Some(r),
            Status::Exact,
            "least L at which every word of length L synchronises to one causal state",
        ),
        SupportOrder::Infinite => Order::new(
            None,
            Status::Infinite,
            "some word of every length leaves the causal state uncertain (the supports of beliefs cycle)",
        ),
        SupportOrder::Unknown => Order::new(None, Status::Unknown, "support family grew past its limit"),
    };

    let cryptic_order = match &reverse {
        Some(r) => {
            let supports: Vec<Vec<usize>> = r.joint.iter().map(|row| nonzero(row)).collect();
            let determined = |fam: &BTreeSet<Vec<usize>>| {
                fam.iter().all(|s| {
                    supports
                        .iter()
                        .all(|sup| s.iter().filter(|i| sup.binary_search(i).is_ok()).count() <= 1)
                })
            };
            match order_from_supports(eps, determined) {
                SupportOrder::Finite(k) => Order::new(
                    Some(k),
                    Status::Exact,
                    "least L with H[S_L | X_{0:}] = 0, from the supports of the reverse causal states",
                ),
                SupportOrder::Infinite => Order::new(
                    None,
                    Status::Infinite,
                    "H[S_L | X_{0:}] > 0 for every L (the supports of beliefs cycle without resolving)",
                ),
                SupportOrder::Unknown => {
                    Order::new(None, Status::Unknown, "support family grew past its limit")
                }
            }
        }
        None if crypticity.status == Status::Exact && crypticity.value.unwrap_or(1.0) < 1e-12 => {
            Order::new(Some(0), Status::Exact, "chi = 0")
        }
        None => Order::new(
            None,
            Status::Unknown,
            "the reverse epsilon-machine did not close within its state limit",
        ),
    };

    Ok(Measures {
        process: String::new(),
        presentation_states: 0,
        unifilar: true,
        epsilon_machine_states: Some(n),
        entropy_rate,
        excess_entropy,
        statistical_complexity,
        crypticity,
        transient_information,
        synchronization_information,
        markov_order,
        cryptic_order,
        block_entropies,
        block_entropies_exact,
        state_uncertainty,
    })
}

/// E, T and S as sums over levels when h_mu is known exactly, stopping once terms fall below `tol`.
///
/// On a unifilar machine the terms h(l+1) - h_mu = I[X_l; S_0 | X_0:l] sum from depth L on to
/// I[X_L:; S_0 | X_0:L] <= H[S_L | X_0:L], so E lies in [partial sum, partial sum + H[S_L | X_0:L]]
/// (and below C_mu): bounds, not only an estimate.
/// Whether the sums of E, T and S have converged at word length `l`: its terms, the last
/// h(l+1) - h_mu times l+1 and the state uncertainty left, are both below `tol`.
fn settled(l: usize, st: &LevelStatistics, h_mu: f64, tol: f64) -> bool {
    ((l + 1) as f64 * (st.next_symbol_entropy - h_mu)).abs() < tol && st.state_entropy < tol
}

fn sums_with_known_rate(
    stats: &[LevelStatistics],
    h_mu: f64,
    c_mu: f64,
    tol: f64,
) -> (Quantity, Quantity, Quantity) {
    let (mut e, mut t, mut s) = (0.0, 0.0, 0.0);
    let (mut last_e, mut last_t, mut last_s) = (0.0, 0.0, 0.0);
    let mut depth = 0;
    for (l, st) in stats.iter().enumerate() {
        last_e = st.next_symbol_entropy - h_mu;
        last_t = (l + 1) as f64 * last_e;
        last_s = st.state_entropy;
        e += last_e;
        t += last_t;
        s += last_s;
        depth = l + 1;
        if settled(l, st, h_mu, tol) {
            break;
        }
    }
    let how =
        format!("sum over word lengths 0..{depth} of the mixed-state presentation, h_mu exact");
    let mut excess = Quantity::approached(e, depth, last_e, how.clone());
    excess.bounds = Some([e, (e + last_s).min(c_mu).max(e)]);
    (
        excess,
        Quantity::approached(t, depth, last_t, how.clone()),
        Quantity::approached(s, depth, last_s, how),
    )
}

/// Exact E, T and S of an exactly synchronising machine from its transient beliefs.
/// Expected visits to a transient belief beyond which the linear solve is not trusted: its error
/// grows with the condition number of I - Q, which is about as large.
const MAX_VISITS: f64 = 1e9;

struct TransientSums {
    beliefs: usize,
    excess_entropy: f64,
    transient_information: f64,
    synchronization_information: f64,
}

/// With Q the transient-to-transient block of the mixed-state presentation and e0 the start,
/// `nu = e0 (I-Q)^-1` counts expected visits. Since beliefs at every depth average to pi,
/// h(L+1) - h_mu = sum_m P_L(m) c(m) with c(m) = H[X|m] - sum_i m_i H[X|i], so
/// E = nu c, T = sum_L (L+1) P_L c = e0 (I-Q)^-2 c, and S = nu H[m].
fn transient_sums(eps: &Hmm, pi: &[f64]) -> Option<TransientSums> {
    let msp = MixedStatePresentation::explore(
        eps,
        pi,
        &closure(MAX_TRANSIENT_BELIEFS + eps.num_states(), eps.num_states()),
        Identify::Distribution,
    )
    .ok()?;
    if !msp.is_closed() {
        return None;
    }
    let synced = |b: &[f64]| b.iter().any(|&p| p >= SYNCHRONISED);
    let transient: Vec<usize> = (0..msp.len()).filter(|&k| !synced(msp.belief(k))).collect();
    if transient.len() > MAX_TRANSIENT_BELIEFS {
        return None;
    }
    let mut pos = vec![usize::MAX; msp.len()];
    for (t, &k) in transient.iter().enumerate() {
        pos[k] = t;
    }
    let h_state: Vec<f64> = (0..eps.num_states())
        .map(|i| entropy(eps.edges(i).iter().map(|e| e.p)))
        .collect();
    let m = transient.len();
    if m == 0 {
        return Some(TransientSums {
            beliefs: 0,
            excess_entropy: 0.0,
            transient_information: 0.0,
            synchronization_information: 0.0,
        });
    }
    // (I - Q)^T, so that solving against e0 gives the row vector nu.
    let mut a = vec![vec![0.0; m]; m];
    for (t, &k) in transient.iter().enumerate() {
        a[t][t] += 1.0;
        for e in msp.edges(k) {
            if pos[e.to as usize] != usize::MAX {
                a[pos[e.to as usize]][t] -= e.p;
            }
        }
    }
    // A start within SYNCHRONISED of one state (a stationary probability within 1e-12 of 1)
    // counts as synchronised while beliefs it leads to do not: the sums cannot be certified, and
    // the caller approaches the values instead (this indexed past the end and panicked).
    let start = *pos.first()?;
    if start == usize::MAX {
        return None;
    }
    let mut e0 = vec![0.0; m];
    e0[start] = 1.0;
    // A closed class of unsynchronised beliefs would make I - Q singular: no exact answer then.
    let nu = linalg::solve(&a, &e0)?;
    let nu2 = linalg::solve(&a, &nu)?;
    let c: Vec<f64> = transient
        .iter()
        .map(|&k| {
            let b = msp.belief(k);
            next_symbol_entropy(eps, b) - b.iter().zip(&h_state).map(|(p, h)| p * h).sum::<f64>()
        })
        .collect();
    let hb: Vec<f64> = transient
        .iter()
        .map(|&k| entropy(msp.belief(k).iter().copied()))
        .collect();
    let dot = |x: &[f64], y: &[f64]| x.iter().zip(y).map(|(a, b)| a * b).sum::<f64>();
    // What no process has: E above C_mu (E is the information the causal state shares with the
    // future), or a transient belief visited more often than double precision can count (a
    // probability within 1e-12 of 1 keeps a belief transient for ~10^15 steps). Then I - Q is
    // singular to working precision, and the sums are approached instead of called exact.
    let excess = dot(&nu, &c).max(0.0);
    let c_mu = entropy(pi.iter().copied());
    if excess > c_mu + 1e-9 || nu.iter().any(|v| !v.is_finite() || v.abs() > MAX_VISITS) {
        return None;
    }
    Some(TransientSums {
        beliefs: m,
        excess_entropy: excess,
        transient_information: dot(&nu2, &c).max(0.0),
        synchronization_information: dot(&nu, &hb).max(0.0),
    })
}

/// The reverse epsilon-machine, held as the joint distribution of forward and reverse causal states.
struct ReverseMachine {
    /// `joint[r][i] = Pr(S^- = r, S^+ = i)`.
    joint: Vec<Vec<f64>>,
}

impl ReverseMachine {
    /// Time-reverses the epsilon-machine (`T~^(x)[j][i] = pi_i T^(x)[i][j] / pi_j`), determinises the
    /// reversal through its mixed states (each a distribution over forward causal states), and merges
    /// reverse states with identical futures. None when the determinisation does not close.
    fn build(eps: &Hmm, pi: &[f64]) -> Option<ReverseMachine> {
        let n = eps.num_states();
        let mut edges: Vec<Vec<Edge>> = vec![Vec::new(); n];
        for (i, &pi_i) in pi.iter().enumerate() {
            for e in eps.edges(i) {
                edges[e.to].push(Edge {
                    symbol: e.symbol,
                    to: i,
                    p: pi_i * e.p / pi[e.to],
                });
            }
        }
        let reversed = Hmm::from_parts(
            format!("{} (reversed)", eps.name()),
            eps.alphabet().to_vec(),
            eps.states().to_vec(),
            edges,
        );
        // Beliefs stay distributions here: the joint of forward and reverse states needs them.
        let msp = MixedStatePresentation::explore(
            &reversed,
            pi,
            &closure(MAX_DETERMINIZED_STATES, eps.num_states()),
            Identify::Distribution,
        )
        .ok()?;
        if !msp.is_closed() {
            return None;
        }
        let det = msp.to_hmm(&reversed);
        let class = det.recurrent_class().ok()?;
        let recurrent = det.restrict(&class);
        let weights = recurrent.stationary_distribution().ok()?;
        let (merged, block) = merge_equivalent_states(&recurrent);
        let mut joint = vec![vec![0.0; n]; merged.num_states()];
        for (k, &m) in class.iter().enumerate() {
            for (i, b) in msp.belief(m).iter().enumerate() {
                joint[block[k]][i] += weights[k] * b;
            }
        }
        Some(ReverseMachine { joint })
    }

    fn states(&self) -> usize {
        self.joint.len()
    }

    /// E = I[S^+; S^-].
    fn excess_entropy(&self, pi: &[f64]) -> f64 {
        let reverse: Vec<f64> = self.joint.iter().map(|r| r.iter().sum()).collect();
        let h_joint = entropy(self.joint.iter().flatten().copied());
        (entropy(pi.iter().copied()) + entropy(reverse) - h_joint).max(0.0)
    }
}

fn nonzero(row: &[f64]) -> Vec<usize> {
    (0..row.len()).filter(|&i| row[i] > 1e-14).collect()
}

enum SupportOrder {
    Finite(usize),
    Infinite,
    Unknown,
}

/// The least L at which `done` holds for the family of belief supports after words of length L.
///
/// On a unifilar machine the support after `wx` is a function of the support after `w` and `x`, so
/// the family at L+1 is a function of the family at L: the sequence of families is eventually
/// periodic, and if it repeats before `done` holds it never will. Both orders this decides are
/// monotone in L, so the first L is the order.
fn order_from_supports(eps: &Hmm, done: impl Fn(&BTreeSet<Vec<usize>>) -> bool) -> SupportOrder {
    let mut family: BTreeSet<Vec<usize>> = BTreeSet::from([(0..eps.num_states()).collect()]);
    let mut seen: HashSet<BTreeSet<Vec<usize>>> = HashSet::new();
    // A support costs its states and about as much again in bookkeeping.
    let size = |family: &BTreeSet<Vec<usize>>| family.iter().map(|s| s.len() + 1).sum::<usize>();
    let mut held = 0;
    for l in 0.. {
        if done(&family) {
            return SupportOrder::Finite(l);
        }
        held += size(&family);
        if held > MAX_SUPPORTS_HELD {
            return SupportOrder::Unknown;
        }
        if !seen.insert(family.clone()) {
            return SupportOrder::Infinite;
        }
        let mut next = BTreeSet::new();
        for support in &family {
            for x in 0..eps.num_symbols() {
                let mut s: Vec<usize> = support
                    .iter()
                    .filter_map(|&i| eps.successor(i, x))
                    .collect();
                s.sort_unstable();
                s.dedup();
                if !s.is_empty() {
                    next.insert(s);
                }
            }
        }
        if next.iter().map(|s| s.len()).sum::<usize>() > MAX_SUPPORT_FAMILY {
            return SupportOrder::Unknown;
        }
        family = next;
    }
    unreachable!("the loop returns")
}
