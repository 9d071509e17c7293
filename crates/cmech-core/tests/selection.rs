//! Reconstruction with no options: the selected machine, and the silent failures of the old
//! defaults (CSSR at L = 5) as regression tests.

use cmech_core::counts::CountTable;
use cmech_core::named;
use cmech_core::presentation::Hmm;
use cmech_core::reconstruct::{
    reconstruct, select, Method, ReconstructOptions, Reconstruction, SelectOptions,
};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn counted(symbols: &[u32], k: usize, window: usize) -> CountTable {
    let mut t = CountTable::new(k, window).unwrap();
    t.add_sequence(symbols).unwrap();
    t
}

fn selected(symbols: &[u32], alphabet: &[String], opts: &SelectOptions) -> Reconstruction {
    let k = alphabet.len();
    select(
        &counted(symbols, k, opts.window(k)),
        alphabet.to_vec(),
        opts,
    )
    .unwrap()
}

fn sample(h: &Hmm, n: usize, seed: u64) -> Vec<u32> {
    h.sample(n, seed)
        .unwrap()
        .into_iter()
        .map(|x| x as u32)
        .collect()
}

fn binary() -> Vec<String> {
    vec!["0".into(), "1".into()]
}

#[test]
fn a_fair_coin_has_one_state_at_any_seed() {
    // CSSR at L = 12 gave 12 states for 10^7 flips and was wrong on 19 of 20 seeds at 10^6.
    let coin = named("biased-coin", &[("p", "0.5")]).unwrap();
    for seed in 0..5 {
        let r = selected(
            &sample(&coin, 1_000_000, seed),
            &binary(),
            &SelectOptions::default(),
        );
        assert_eq!(r.machine.num_states(), 1, "seed {seed}");
        let sel = r.diagnostics.selection.as_ref().unwrap();
        assert_eq!(sel.candidates[sel.chosen].method, None, "{}", sel.reason);
        assert!(sel.reason.contains("no structure"), "{}", sel.reason);
    }
}

#[test]
fn a_long_history_bound_does_not_invent_structure() {
    // The README's `reconstruct big.cnt -L 16` on the golden mean returned 17 states.
    let gm = named("golden-mean", &[]).unwrap();
    let opts = SelectOptions {
        max_history: Some(16),
    };
    let r = selected(&sample(&gm, 1_000_000, 1), &binary(), &opts);
    assert!(r.machine.is_isomorphic(&gm.minimize().unwrap(), 0.01));
}

#[test]
fn rrxor_is_selected_and_cssrs_impossible_machines_are_not() {
    let rrxor = named("rrxor", &[]).unwrap();
    let x = sample(&rrxor, 1_000_000, 3);
    let r = selected(&x, &binary(), &SelectOptions::default());
    assert!(r.machine.is_isomorphic(&rrxor.minimize().unwrap(), 0.01));
    assert_eq!(r.diagnostics.method, Method::Forward);
    let sel = r.diagnostics.selection.as_ref().unwrap();
    // CSSR at some L gives machines that cannot produce the data; they score infinity.
    assert!(sel
        .candidates
        .iter()
        .all(|c| c.log_likelihood.is_finite() == c.score.is_finite()));
    assert!(sel.candidates[sel.chosen].score.is_finite());
    // Asked for explicitly, such a machine comes back with its minus-infinity log-likelihood
    // and a warning naming the problem and the fix.
    let opts = ReconstructOptions {
        max_history: 7,
        ..Default::default()
    };
    let fixed = reconstruct(&counted(&x, 2, opts.window(2)), binary(), &opts).unwrap();
    let d = &fixed.diagnostics;
    if d.impossible > 0 {
        assert_eq!(d.log_likelihood, f64::NEG_INFINITY);
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("cannot have produced")),
            "{:?}",
            d.warnings
        );
    }
}

#[test]
fn runs_of_three_to_seven_get_a_machine_that_can_produce_them() {
    // CSSR at L = 3 returned a one-state machine emitting only 1 for any amount of such data.
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut x = Vec::new();
    let mut symbol = 0u32;
    while x.len() < 300_000 {
        let run = 3 + (rng.next_u32() % 5) as usize;
        x.extend(std::iter::repeat_n(symbol, run));
        symbol = 1 - symbol;
    }
    let r = selected(&x, &binary(), &SelectOptions::default());
    let d = &r.diagnostics;
    assert_eq!(d.impossible, 0);
    assert!(d.log_likelihood.is_finite());
    // The runs' lengths carry log2(5) bits per run of 5 symbols on average.
    assert!((d.h_mu - 5f64.log2() / 5.0).abs() < 0.02, "{}", d.h_mu);
    assert!(r.machine.num_states() >= 8, "{}", r.machine.num_states());
}

#[test]
fn too_little_data_says_so() {
    let gm = named("golden-mean", &[]).unwrap();
    let r = selected(&sample(&gm, 12, 1), &binary(), &SelectOptions::default());
    let sel = r.diagnostics.selection.as_ref().unwrap();
    assert_eq!(r.machine.num_states(), 1);
    assert!(sel.reason.contains("no structure"), "{}", sel.reason);
    assert_eq!(r.diagnostics.impossible, 0);
}

#[test]
fn the_log_likelihood_is_that_of_all_the_data() {
    // Forward on RRXOR printed -0.376 bits per symbol, counting only synchronised histories; the
    // data's true value is about -2/3 (h_mu), a little below from the finite context.
    let rrxor = named("rrxor", &[]).unwrap();
    let x = sample(&rrxor, 200_000, 4);
    let r = selected(&x, &binary(), &SelectOptions::default());
    let d = &r.diagnostics;
    let per_symbol = d.log_likelihood / d.symbols as f64;
    assert!(
        (-0.72..=-0.66).contains(&per_symbol),
        "{per_symbol} bits per symbol"
    );
    assert_eq!(d.log_loss.unwrap(), -per_symbol);
}

#[test]
fn at_the_onset_of_chaos_the_growth_is_measured_and_said() {
    // Period doubling at the Feigenbaum point: no finite machine, at any L.
    let x: Vec<u32> = cmech_core::sources::logistic_symbols(3.569_945_671_870_9, 1_000_000, 1)
        .unwrap()
        .into_iter()
        .map(u32::from)
        .collect();
    let r = selected(&x, &binary(), &SelectOptions::default());
    let d = &r.diagnostics;
    assert!(d.still_growing, "{:?}", d.states_by_history);
    let g = d.growth.as_ref().expect("a growth law");
    assert!(g.rate > 1.0, "{g:?}");
    assert!(g.statement.starts_with("no finite machine was found"));
    assert!(d.warnings.iter().any(|w| w == &g.statement));
}

#[test]
fn refinement_removes_the_edges_a_fit_invented() {
    // Random 4x3 #1 of the recovery study: forward at L = 8 finds the four states and their
    // transitions, plus three edges of probability 1e-4 to 1e-5 the process never takes (kept
    // from rare mixtures of states), which no history length removed; its BIC was 114 bits
    // above the truth's. Refinement prunes them and the machine is the truth.
    let truth = cmech_core::random::epsilon_machine(4, 3, 0.06, 1).unwrap();
    let alphabet = truth.alphabet().to_vec();
    let r = selected(
        &sample(&truth, 1_000_000, 1_000_004),
        &alphabet,
        &SelectOptions::default(),
    );
    assert!(
        r.machine.is_isomorphic(&truth, 0.02),
        "{}",
        r.machine.to_json()
    );
    let sel = r.diagnostics.selection.unwrap();
    let refined = sel.candidates[sel.chosen]
        .refined
        .expect("chosen after refinement");
    assert!(refined.pruned >= 1, "{refined:?}");
}
