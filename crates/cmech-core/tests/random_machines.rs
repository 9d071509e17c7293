//! Issue 13, "How it is checked": with no options (the default model selection), reconstruction
//! recovers seeded random minimal epsilon-machines (2 to 10 states, alphabets of 2 to 4, every
//! transition probability at least 0.06; 10^6 samples, 10^7 from 8 states on) at least 95% of
//! the time, and every named process with a finite epsilon-machine from 10^6 samples for 20
//! seeds each.
//!
//! The tables (one row per machine: states true and found, h_mu and C_mu errors, Markov order,
//! how alike its closest states predict, the chosen candidate's BIC against the truth's, and for
//! every miss the selection's candidates) go to stderr: `cargo test --release -p cmech-core
//! --test random_machines -- --nocapture`. This subset draws one machine per size and alphabet
//! (27 machines, so 95% allows one miss); the whole study (five per size and alphabet, the same
//! thresholds) is `cargo run --release -p cmech-core --example random_machines -- study`.
//! Most machines take a second or two each; four-symbol machines of 9 and 10 states from 10^7
//! samples take one to two minutes (CSSR and forward fits of hundreds to thousands of states at
//! the longer histories), and dominate the test's four to five minutes on two cores.
mod recovery;

use cmech_core::random::epsilon_machine;
use recovery::*;

/// Machine seeds per (states, symbols).
const SEEDS: std::ops::RangeInclusive<u64> = 1..=1;

/// Seeds of each named process.
const NAMED_SEEDS: u64 = 20;

fn failures(outcomes: &[Outcome]) -> String {
    outcomes
        .iter()
        .filter(|o| !o.exact)
        .map(|o| {
            format!(
                "{} ({} states, found {}, chose {})",
                o.label,
                o.true_states,
                o.found_states,
                o.chosen()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn random_epsilon_machines_are_recovered_with_no_options() {
    let mut outcomes = Vec::new();
    for (states, symbols, seed) in ensemble(SEEDS) {
        let truth = epsilon_machine(states, symbols, MIN_P, seed).unwrap();
        let o = recover(
            &format!("random {states}x{symbols} #{seed}"),
            &truth,
            samples_for(states),
            data_seed(seed),
        );
        eprintln!(
            "{}: {} states, found {} ({:.1} s)",
            o.label, o.true_states, o.found_states, o.seconds
        );
        outcomes.push(o);
    }
    report("random epsilon-machines, no options", &outcomes);
    let wrong_measures: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.exact && !(o.h_ok() && o.c_ok()))
        .map(|o| o.label.as_str())
        .collect();
    assert!(
        wrong_measures.is_empty(),
        "recovered, yet h_mu or C_mu out of tolerance: {wrong_measures:?}"
    );
    let r = rate(&outcomes);
    assert!(
        r >= GOAL,
        "recovered {:.1}% of {} random machines, the goal is {:.0}%; missed: {}",
        100.0 * r,
        outcomes.len(),
        100.0 * GOAL,
        failures(&outcomes)
    );
}

#[test]
fn named_processes_are_recovered_with_no_options() {
    let mut outcomes = Vec::new();
    for (name, params) in NAMED {
        let process = cmech_core::named(name, params).unwrap();
        for seed in 1..=NAMED_SEEDS {
            outcomes.push(recover(
                &named_label(name, params, seed),
                &process,
                NAMED_SAMPLES,
                seed,
            ));
        }
    }
    report("named processes, no options", &outcomes);
    let missed = failures(&outcomes);
    assert!(missed.is_empty(), "not recovered: {missed}");
    let wrong_measures: Vec<&str> = outcomes
        .iter()
        .filter(|o| !(o.h_ok() && o.c_ok()))
        .map(|o| o.label.as_str())
        .collect();
    assert!(
        wrong_measures.is_empty(),
        "h_mu or C_mu out of tolerance: {wrong_measures:?}"
    );
}

/// The generator's machines are what the suite claims: minimal, unifilar, strongly connected,
/// probabilities at least [`MIN_P`], and the same for the same seed.
#[test]
fn the_ensemble_is_reproducible_and_minimal() {
    for (states, symbols, seed) in ensemble(1..=3) {
        let h = epsilon_machine(states, symbols, MIN_P, seed).unwrap();
        assert_eq!(h, epsilon_machine(states, symbols, MIN_P, seed).unwrap());
        assert!(h.is_unifilar() && h.is_strongly_connected());
        assert_eq!(h.minimize().unwrap().num_states(), states);
        assert!((0..states).all(|i| h.edges(i).iter().all(|e| e.p >= MIN_P * (1.0 - 1e-12))));
    }
}
