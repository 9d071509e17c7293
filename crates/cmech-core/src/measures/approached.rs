//! Measures of a presentation without a finite epsilon-machine: every value approached from the
//! beliefs over the presentation's own states, to a stated depth and with bounds where theory
//! gives them, except what the closed forms of its family give.

use super::{
    block_entropies, closed_form, next_symbol_entropies, state_uncertainty, MeasureOptions,
    Measures, Order, Quantity, Status,
};
use crate::error::Result;
use crate::minimize::MAX_DETERMINIZED_STATES;
use crate::mixed_state::level_statistics;
use crate::presentation::Hmm;

/// Measures of a nonunifilar presentation whose epsilon-machine is not finite (or too large):
/// everything is approached through the beliefs over the presentation's own states, except what
/// `known` (the closed forms of the presentation's family, if any) gives.
pub(super) fn approached_measures(
    hmm: &Hmm,
    opts: &MeasureOptions,
    known: Option<closed_form::KnownForms>,
) -> Result<Measures> {
    let pi = hmm.stationary_distribution()?;
    let depth = opts.max_depth.max(opts.block_length);
    let upper = level_statistics(hmm, &[(1.0, pi.clone())], depth, opts.belief_budget);
    let starts: Vec<(f64, Vec<f64>)> = (0..hmm.num_states())
        .filter(|&i| pi[i] > 0.0)
        .map(|i| {
            let mut d = vec![0.0; hmm.num_states()];
            d[i] = 1.0;
            (pi[i], d)
        })
        .collect();
    let lower = level_statistics(hmm, &starts, depth, opts.belief_budget);
    let (block_entropies, block_entropies_exact) = block_entropies(&upper, opts.block_length);
    let state_uncertainty = state_uncertainty(&upper, opts.block_length);

    // h(L) = H[X_{L-1} | X_{0:L-1}] decreases to h_mu; H[X_{L-1} | X_{0:L-1}, S_0] increases to it.
    let h = next_symbol_entropies(&upper);
    let d = h.len();
    let l = d - 1;
    let h_up = h[l];
    // The lower bound needs one belief per start state, so it may stop at a shallower depth.
    let h_low = lower.last().map_or(0.0, |s| s.next_symbol_entropy);
    let mut entropy_rate = Quantity::approached(
        h_up,
        d,
        if l > 0 { h[l - 1] - h[l] } else { f64::NAN },
        format!(
            "h(L) = H[X_L-1 | X_0:L-1] at L = {d}, bracketed below by H[X_L-1 | X_0:L-1, S_0] \
             at L = {} (Cover & Thomas 4.5); depth limited by a budget of {} beliefs per level",
            lower.len(),
            opts.belief_budget
        ),
    );
    entropy_rate.bounds = Some([h_low.min(h_up), h_up]);

    // E(L) = H(L) - L h(L) and T(L) = sum_{l<=L} l (h(l) - h(L)) use only words up to length L.
    let mut big_h = vec![0.0];
    for x in &h[..d] {
        big_h.push(big_h.last().expect("H(0)") + x);
    }
    let e_at = |len: usize| big_h[len] - len as f64 * h[len - 1];
    let t_at = |len: usize| {
        (1..=len)
            .map(|k| k as f64 * (h[k - 1] - h[len - 1]))
            .sum::<f64>()
    };
    let how = |what: &str| format!("{what} with h_mu taken as h(L) at L = {d}");
    let excess_entropy = Quantity::approached(
        e_at(d),
        d,
        if d > 1 {
            e_at(d) - e_at(d - 1)
        } else {
            f64::NAN
        },
        how("H(L) - L h(L)"),
    );
    let transient_information = Quantity::approached(
        t_at(d),
        d,
        if d > 1 {
            t_at(d) - t_at(d - 1)
        } else {
            f64::NAN
        },
        how("sum_l l (h(l) - h(L))"),
    );
    let state_entropy: Vec<f64> = upper.iter().take(d).map(|s| s.state_entropy).collect();
    let last = state_entropy[l];
    let synchronization_information = if last < opts.tolerance.max(1e-9) {
        Quantity::approached(
            state_entropy.iter().sum(),
            d,
            last,
            "partial sum of H[S_L | X_0:L] over the presentation's states",
        )
    } else {
        Quantity {
            last_change: Some(last),
            depth: Some(d),
            ..Quantity::without_value(
                Status::Infinite,
                format!(
                    "H[S_L | X_0:L] is still {last:.6} bits at L = {l}: an observer never synchronises \
                     to the presentation's states, so the sum grows without bound"
                ),
            )
        }
    };
    let no_machine = format!(
        "no finite epsilon-machine found: the mixed states did not close within \
         {MAX_DETERMINIZED_STATES} beliefs"
    );
    let statistical_complexity = match &known {
        Some(k) => k.statistical_complexity.clone(),
        None => Quantity::without_value(Status::Unknown, no_machine.clone()),
    };
    let crypticity = match (statistical_complexity.value, excess_entropy.value) {
        (Some(c), Some(e)) => Quantity {
            value: Some((c - e).max(0.0)),
            method: format!(
                "C_mu ({}) - E (approached)",
                match statistical_complexity.status {
                    Status::Exact => "exact",
                    _ => "approached",
                }
            ),
            bounds: None,
            ..excess_entropy.clone()
        },
        _ => Quantity::without_value(Status::Unknown, no_machine.clone()),
    };
    let markov_order = known
        .and_then(|k| k.markov_order)
        .unwrap_or_else(|| Order::new(None, Status::Unknown, no_machine.clone()));
    Ok(Measures {
        process: String::new(),
        presentation_states: 0,
        unifilar: false,
        epsilon_machine_states: None,
        entropy_rate,
        excess_entropy,
        statistical_complexity,
        crypticity,
        transient_information,
        synchronization_information,
        markov_order,
        cryptic_order: Order::new(None, Status::Unknown, no_machine),
        block_entropies,
        block_entropies_exact,
        state_uncertainty,
    })
}
