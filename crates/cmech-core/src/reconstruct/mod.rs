//! Reconstruction of the epsilon-machine of a process from the word counts of a sample of it.
//!
//! [`Method::Cssr`] is causal-state splitting reconstruction (Shalizi & Klinkner 2004) as the
//! original program runs it: homogenisation grows suffix histories one symbol further into the
//! past, keeping a child history in its parent's state unless a significance test says its
//! next-symbol distribution differs, in which case it joins the first other state that accepts it
//! or founds a new one; transient states are dropped; determinisation then splits states until
//! every state and symbol lead to one state. The function `cssr` says how, step by step.
//!
//! [`Method::Forward`] keeps CSSR's statistics but not its successor rule, which is what splits
//! processes of infinite Markov order whose unsynchronised histories are not all transient
//! (RRXOR) into ever more states; the function `forward` says how.
//!
//! This file holds the entry points, [`reconstruct`] and [`select`]; the methods are in `cssr` and
//! `forward`, what they share (word tables, the state graph, the fitted machine) in `fit`, and
//! what a reconstruction reports besides the machine in `diagnostics`.
use crate::counts::CountTable;
use crate::entropy;
use crate::error::{CmechError, Result};
use crate::presentation::Hmm;

mod cssr;
mod diagnostics;
mod fit;
mod forward;
pub mod holdout;
mod homogeneity;
mod options;
mod refine;
mod score;
mod select;
mod transducer;
use cssr::cssr;
use diagnostics::{
    check_histories_sampled, estimated_entropy_rate, finite_or_null, null_as_infinity,
    null_as_minus_infinity, supported_history,
};
pub use diagnostics::{Diagnostics, Growth};
use fit::{fit_with_history, Fit, WordTables};
use forward::forward;
pub use forward::MIN_OCCURRENCES;
pub use holdout::{hold_out, HeldOut, HeldOutScore};
pub use homogeneity::{homogeneity_p_value, Test};
pub use options::{CountWindow, Method, Plan, ReconstructOptions, Request, DEFAULT_ALPHA};
pub use refine::Refinement;
pub use score::{parameters, Score};
pub use select::{Candidate, SelectOptions, Selection, MAX_SELECT_HISTORY, PATIENCE, TIE_BITS};
pub use transducer::{exercised_part, reconstruct_transducer, TransducerReconstruction};

/// A history (suffix of the past): its length and base-k code, oldest symbol first.
type History = (usize, u64);

/// A machine reconstructed from counts, with its diagnostics.
#[derive(Debug, Clone)]
pub struct Reconstruction {
    /// The epsilon-machine: unifilar and minimal, its states the heaviest recurrent class found.
    pub machine: Hmm,
    /// What the reconstruction found besides the machine.
    pub diagnostics: Diagnostics,
}

fn check_alphabet(table: &CountTable, alphabet: &[String]) -> Result<()> {
    if alphabet.len() != table.alphabet_size() {
        return Err(CmechError::InvalidArgument(format!(
            "{} symbol names given for a table of {} symbols",
            alphabet.len(),
            table.alphabet_size()
        )));
    }
    Ok(())
}

/// Complexity and entropy rate of a unifilar machine.
fn machine_measures(machine: &Hmm) -> Result<(f64, f64)> {
    let pi = machine.stationary_distribution()?;
    let c_mu = entropy::entropy(pi.iter().copied());
    let h_mu: f64 = (0..machine.num_states())
        .map(|s| pi[s] * entropy::entropy(machine.edges(s).iter().map(|e| e.p)))
        .sum();
    Ok((c_mu, h_mu))
}

/// Reconstructs the epsilon-machine of the process whose word counts are in `table` with the
/// given method, history length and test, exactly as asked. `alphabet` names the table's
/// symbols. The machine is minimised and scored on all the data; one that cannot produce the data
/// or covers only part of its histories comes with a warning. [`select`] chooses the options.
pub fn reconstruct(
    table: &CountTable,
    alphabet: Vec<String>,
    opts: &ReconstructOptions,
) -> Result<Reconstruction> {
    check_alphabet(table, &alphabet)?;
    let (fit, states_by_history) = fit_with_history(table, opts, 1)?;
    // Scored on the words the options need, not on however far the counts go: the same data give
    // the same answer from any count of them.
    let counts = WordTables::new(table, opts.window(table.alphabet_size()), 1)?;
    let machine = fit.machine(alphabet).minimize()?;
    let data = score::ScoreData::new(table.alphabet_size(), &counts.by_len, table.end_words())?;
    let (score, _) = score::score_counts(&machine, &data)?;
    let (c_mu, h_mu) = machine_measures(&machine)?;
    let h_est = estimated_entropy_rate(&counts);
    let mut diagnostics = Diagnostics::new(opts, table, &fit, states_by_history, c_mu, h_mu, h_est);
    diagnostics.recurrent_states = machine.num_states();
    diagnostics.scored(&score);
    if score.impossible > 0 {
        diagnostics.warnings.push(format!(
            "the machine gives probability zero to {} of the {} symbols of the data: it cannot \
             have produced them (its log-likelihood is minus infinity); without --method, -L and \
             --alpha cmech selects a machine that can",
            score.impossible, score.symbols
        ));
    } else if opts.method == Method::Cssr && fit.recurrent_mass < 0.99 {
        // The forward method's unsynchronised histories are mixtures that lead into the machine,
        // not a part of the data it leaves out.
        diagnostics.warnings.push(format!(
            "the machine's states hold only {:.1}% of the histories of length {}; the rest \
             were transient or unsynchronised, and the machine may describe only part of the \
             data",
            100.0 * fit.recurrent_mass,
            opts.max_history
        ));
    }
    Ok(Reconstruction {
        machine,
        diagnostics,
    })
}

/// Reconstructs the epsilon-machine with no options to tune: both methods at every history length
/// the data support, each machine minimised and scored by BIC on all the data, the smallest of the
/// best chosen (docs/reconstruction.md explains the method). The diagnostics list every
/// candidate's score.
pub fn select(
    table: &CountTable,
    alphabet: Vec<String>,
    opts: &SelectOptions,
) -> Result<Reconstruction> {
    check_alphabet(table, &alphabet)?;
    // A longest history given is checked as a fixed one is, before the candidates are fitted.
    if let Some(l) = opts.max_history.filter(|&l| l < table.window()) {
        check_histories_sampled(&WordTables::new(table, l, 1)?, l)?;
    }
    let select::Outcome {
        scored,
        chosen,
        forward_states,
        entropy_rate: h_est,
    } = select::candidates(table, &alphabet, opts)?;
    let pick = &scored[chosen];
    let machine = pick
        .machine
        .clone()
        .expect("a chosen candidate has a machine");
    let score = pick.score.expect("a chosen candidate has a score");
    let c = &pick.candidate;
    let (c_mu, h_mu) = machine_measures(&machine)?;
    let n = table.symbols();
    let method = c.method.unwrap_or(Method::Cssr);
    let states_by_history = match c.method {
        Some(Method::Cssr) => scored
            .iter()
            // The fits as the method gave them: a refined machine is no fit at its L.
            .filter(|s| s.candidate.method == Some(Method::Cssr) && s.candidate.refined.is_none())
            .map(|s| (s.candidate.max_history, s.candidate.states))
            .collect(),
        _ => forward_states,
    };
    let half = states_by_history
        .get(states_by_history.len().saturating_sub(1) / 2)
        .map_or(0, |x| x.1);
    let still_growing =
        states_by_history.len() >= 4 && states_by_history.last().is_some_and(|&(_, s)| s > half);
    let reason = match c.method {
        None => format!(
            "no structure beyond the symbols' frequencies: {n} symbols support no machine that \
             predicts better by more than its {} extra parameters cost (BIC)",
            scored
                .iter()
                .filter(|s| s.candidate.score.is_finite() && s.candidate.method.is_some())
                .map(|s| s.candidate.parameters)
                .min()
                .unwrap_or(0)
                .saturating_sub(c.parameters)
        ),
        Some(m) => format!(
            "{} at L = {}{}: the smallest machine within {TIE_BITS} bits of the best BIC among {} \
             candidates",
            m.name(),
            c.max_history,
            c.refined.map_or_else(String::new, |r| format!(
                ", refined by likelihood ({})",
                r.summary()
            )),
            scored.len()
        ),
    };
    let supported = supported_history(n, h_est);
    let growth = still_growing
        .then(|| Growth::fit(&states_by_history))
        .flatten();
    let mut warnings = Vec::new();
    if let Some(g) = &growth {
        warnings.push(g.statement.clone());
    } else if still_growing {
        warnings.push(format!(
            "the number of states keeps growing with the history length ({}): the process may \
             have no finite epsilon-machine",
            states_by_history
                .iter()
                .map(|(l, s)| format!("L={l}: {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut diagnostics = Diagnostics {
        method,
        max_history: c.max_history,
        alpha: c.alpha,
        test: Test::ChiSquare,
        symbols: n,
        sequences: table.sequences(),
        states_total: machine.num_states(),
        recurrent_states: machine.num_states(),
        transient_states: 0,
        recurrent_mass: 1.0,
        c_mu,
        h_mu,
        log_likelihood: score.log_likelihood,
        log_loss: None,
        impossible: 0,
        states_by_history,
        still_growing,
        growth,
        entropy_rate_estimate: h_est,
        supported_history: supported,
        selection: Some(Selection {
            criterion: "bic".into(),
            chosen,
            candidates: scored.into_iter().map(|s| s.candidate).collect(),
            reason,
        }),
        warnings,
    };
    diagnostics.scored(&score);
    Ok(Reconstruction {
        machine,
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_windows_are_checked_in_words() {
        let bad = |o: ReconstructOptions| o.validate().unwrap_err().to_string();
        let d = ReconstructOptions::default();
        assert!(d.validate().is_ok());
        let e = bad(ReconstructOptions {
            max_history: 0,
            ..d
        });
        assert!(e.contains("max_history must be at least 1, not 0"), "{e}");
        let e = bad(ReconstructOptions { alpha: 1.5, ..d });
        assert!(e.contains("alpha must be in (0, 1), not 1.5"), "{e}");
        let e = bad(ReconstructOptions {
            future: Some(0),
            ..d
        });
        assert!(e.contains("future must be at least 1, not 0"), "{e}");
        assert!(CountWindow::Fixed(1).validate().is_err());
        assert_eq!(CountWindow::Fixed(7).length(2), 7);
        assert_eq!(CountWindow::Fixed(7).max_history(2), None);
        let forward = ReconstructOptions {
            method: Method::Forward,
            max_history: 4,
            ..d
        };
        let forward = CountWindow::For(Plan::Fixed(forward));
        assert_eq!(forward.length(2), 4 + 1 + 3);
        assert_eq!(forward.max_history(2), Some(4));
    }
}
