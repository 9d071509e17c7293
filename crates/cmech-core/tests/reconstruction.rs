//! Reconstruction from samples: the machines and measures that theory says must come back.

use cmech_core::counts::CountTable;
use cmech_core::named;
use cmech_core::presentation::{Edge, Hmm};
use cmech_core::reconstruct::{reconstruct, Method, ReconstructOptions, Reconstruction, Test};
use cmech_core::sources::logistic_symbols;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn options(method: Method, l: usize) -> ReconstructOptions {
    ReconstructOptions {
        method,
        max_history: l,
        ..Default::default()
    }
}

fn run(symbols: &[u32], alphabet: &[String], opts: &ReconstructOptions) -> Reconstruction {
    let k = alphabet.len();
    let mut t = CountTable::new(k, opts.window(k)).unwrap();
    t.add_sequence(symbols).unwrap();
    reconstruct(&t, alphabet.to_vec(), opts).unwrap()
}

fn sample(h: &Hmm, n: usize, seed: u64) -> Vec<u32> {
    h.sample(n, seed)
        .unwrap()
        .into_iter()
        .map(|x| x as u32)
        .collect()
}

/// The exact h_mu and C_mu of an epsilon-machine.
fn exact(h: &Hmm) -> (f64, f64) {
    let m = cmech_core::measures(h, &Default::default()).unwrap();
    (
        m.entropy_rate.value.expect("exact"),
        m.statistical_complexity.value.expect("exact"),
    )
}

fn assert_recovers(name: &str, method: Method, l: usize) {
    let process = named(name, &[]).unwrap();
    let truth = process.minimize().unwrap();
    let r = run(
        &sample(&process, 1_000_000, 5),
        process.alphabet(),
        &options(method, l),
    );
    assert!(
        r.machine.is_isomorphic(&truth, 0.01),
        "{name} by {method:?} at L = {l}: {}",
        r.machine.to_json()
    );
    let (h_mu, c_mu) = exact(&truth);
    let d = &r.diagnostics;
    assert!(
        (d.h_mu - h_mu).abs() < 0.005,
        "{name}: h_mu {} vs {h_mu}",
        d.h_mu
    );
    assert!(
        (d.c_mu - c_mu).abs() < 0.02,
        "{name}: C_mu {} vs {c_mu}",
        d.c_mu
    );
}

#[test]
fn cssr_recovers_processes_of_finite_markov_order() {
    for name in ["biased-coin", "golden-mean", "z1r", "period"] {
        assert_recovers(name, Method::Cssr, 4);
    }
    // The Kolmogorov-Smirnov test finds the same machine.
    let process = named("z1r", &[]).unwrap();
    let opts = ReconstructOptions {
        test: Test::KolmogorovSmirnov,
        ..options(Method::Cssr, 4)
    };
    let r = run(&sample(&process, 1_000_000, 2), process.alphabet(), &opts);
    assert!(r.machine.is_isomorphic(&process.minimize().unwrap(), 0.01));
}

/// Even has infinite Markov order: a run of 1s as long as the history leaves its parity unknown.
/// Those histories form a state of their own (a mixture) which, as in the original CSSR program,
/// is transient and dropped before determinisation, so CSSR returns the true two states at every
/// L the data support, as the original does on the same data.
#[test]
fn cssr_recovers_even_as_the_original_program_does() {
    let process = named("even", &[]).unwrap();
    let data = sample(&process, 1_000_000, 5);
    for l in [3, 4, 6, 10] {
        for test in [Test::ChiSquare, Test::KolmogorovSmirnov] {
            let opts = ReconstructOptions {
                test,
                ..options(Method::Cssr, l)
            };
            let r = run(&data, process.alphabet(), &opts);
            assert!(
                r.machine.is_isomorphic(&process.minimize().unwrap(), 0.01),
                "L = {l} {test:?}: {}",
                r.machine.to_json()
            );
            assert!(!r.diagnostics.still_growing);
        }
    }
}

#[test]
fn forward_recovers_processes_of_infinite_markov_order() {
    for name in [
        "even",
        "nemo",
        "biased-coin",
        "golden-mean",
        "z1r",
        "period",
    ] {
        assert_recovers(name, Method::Forward, 10);
    }
}

/// The bar of issue 3: from 10^6 samples of RRXOR, the five-state machine, probabilities within
/// 0.01 and C_mu within 0.02 of 2.2516, at every history length from 6 to 14.
#[test]
fn forward_recovers_rrxor_from_a_million_samples() {
    let process = named("rrxor", &[]).unwrap();
    let truth = process.minimize().unwrap();
    let symbols = sample(&process, 1_000_000, 9);
    for l in [6, 10, 14] {
        let r = run(&symbols, process.alphabet(), &options(Method::Forward, l));
        assert!(
            r.machine.is_isomorphic(&truth, 0.01),
            "L = {l}: {}",
            r.machine.to_json()
        );
        assert!((r.diagnostics.c_mu - 2.2516291673878226).abs() < 0.02);
    }
}

/// A random binary epsilon-machine: n states, each emitting 0 and 1 with probabilities in
/// [0.15, 0.85] to random successors, kept when it is strongly connected and minimal.
fn random_machine(n: usize, rng: &mut ChaCha8Rng) -> Hmm {
    loop {
        let edges: Vec<Vec<Edge>> = (0..n)
            .map(|_| {
                let p = 0.15 + 0.7 * (rng.next_u64() % 1000) as f64 / 1000.0;
                (0..2)
                    .map(|symbol| Edge {
                        symbol,
                        to: (rng.next_u64() % n as u64) as usize,
                        p: if symbol == 0 { p } else { 1.0 - p },
                    })
                    .collect()
            })
            .collect();
        let doc = serde_json::json!({
            "name": "random",
            "alphabet": ["0", "1"],
            "states": (0..n).map(|i| format!("S{i}")).collect::<Vec<_>>(),
            "transitions": edges.iter().enumerate().flat_map(|(i, es)| es.iter().map(move |e| {
                serde_json::json!({"from": format!("S{i}"), "to": format!("S{}", e.to),
                                   "symbol": e.symbol.to_string(), "p": e.p})
            })).collect::<Vec<_>>(),
        });
        let h = Hmm::from_json(&doc.to_string()).unwrap();
        if h.is_strongly_connected() && h.minimize().unwrap().num_states() == n {
            return h;
        }
    }
}

#[test]
fn both_methods_recover_random_machines() {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    for trial in 0..6 {
        let truth = random_machine(2 + trial % 3, &mut rng);
        let symbols = sample(&truth, 1_000_000, trial as u64);
        // CSSR needs histories that synchronise; the forward method does not.
        let order = cmech_core::measures(&truth, &Default::default())
            .unwrap()
            .markov_order
            .value;
        let methods: &[Method] = match order {
            Some(r) if r <= 4 => &[Method::Cssr, Method::Forward],
            _ => &[Method::Forward],
        };
        for &method in methods {
            let r = run(&symbols, truth.alphabet(), &options(method, 8));
            assert!(
                r.machine.is_isomorphic(&truth, 0.02),
                "trial {trial} by {method:?}: truth {}\ngot {}",
                truth.to_json(),
                r.machine.to_json()
            );
        }
    }
}

fn logistic(r: f64, l: usize) -> Reconstruction {
    let symbols: Vec<u32> = logistic_symbols(r, 1_000_000, 3)
        .unwrap()
        .into_iter()
        .map(u32::from)
        .collect();
    run(
        &symbols,
        &["0".into(), "1".into()],
        &options(Method::Cssr, l),
    )
}

#[test]
fn logistic_map_at_full_chaos_is_a_fair_coin() {
    let d = logistic(4.0, 6).diagnostics;
    assert_eq!(d.recurrent_states, 1);
    assert!((d.h_mu - 1.0).abs() < 0.005, "{}", d.h_mu);
}

#[test]
fn logistic_map_in_periodic_windows_is_a_cycle() {
    // Orbits of period 2, 4 and 3 (the period-3 window), visiting both sides of 1/2.
    for (r, period) in [(3.3, 2usize), (3.52, 4), (3.83, 3)] {
        let symbols = logistic_symbols(r, 10_000, 3).unwrap();
        let symbolic = (1..=8)
            .find(|&p| symbols.iter().zip(&symbols[p..]).all(|(a, b)| a == b))
            .unwrap();
        assert_eq!(symbolic, period, "r = {r}");
        let d = logistic(r, 6).diagnostics;
        assert_eq!(d.recurrent_states, period, "r = {r}");
        assert!(d.h_mu.abs() < 1e-9);
        assert!((d.c_mu - (period as f64).log2()).abs() < 1e-9, "r = {r}");
    }
}

#[test]
fn logistic_map_at_the_onset_of_chaos_keeps_growing() {
    let d = logistic(3.569_945_6, 10).diagnostics;
    assert!(d.still_growing, "{:?}", d.states_by_history);
    assert!(d.warnings.iter().any(|w| w.contains("keeps growing")));
}

#[test]
fn bad_parameters_are_refused() {
    let process = named("golden-mean", &[]).unwrap();
    let symbols = sample(&process, 1000, 1);
    let mut t = CountTable::new(2, 4).unwrap();
    t.add_sequence(&symbols).unwrap();
    let alphabet = process.alphabet().to_vec();
    let err = |opts: ReconstructOptions| {
        reconstruct(&t, alphabet.clone(), &opts)
            .unwrap_err()
            .to_string()
    };
    assert!(err(options(Method::Cssr, 0)).contains("max_history must be at least 1, not 0"));
    assert!(err(options(Method::Cssr, 5)).contains("counts go up to 4"));
    assert!(err(ReconstructOptions {
        alpha: 1.5,
        ..options(Method::Cssr, 3)
    })
    .contains("alpha must be in (0, 1), not 1.5"));
    let mut short = CountTable::new(2, 8).unwrap();
    short.add_sequence(&[0, 1, 1]).unwrap();
    assert!(
        reconstruct(&short, alphabet.clone(), &options(Method::Cssr, 7))
            .unwrap_err()
            .to_string()
            .contains("longer than the maximum history")
    );
    assert!(logistic_symbols(4.5, 10, 0).is_err());
}

/// From 10^7 samples of RRXOR at L = 16 with chi-square, some states' observed symbols lead only
/// to transient histories, which are dropped; those dead ends once left no closed class at all
/// ("no recurrent state"). The original CSSR program finds 332 states on the same data.
#[test]
fn cssr_drops_dead_ends_instead_of_failing() {
    let process = named("rrxor", &[]).unwrap();
    let data = sample(&process, 10_000_000, 1);
    let r = run(&data, process.alphabet(), &options(Method::Cssr, 16));
    let states = r.diagnostics.recurrent_states;
    assert!((300..=365).contains(&states), "{states} states");
    assert!(r.diagnostics.still_growing);
}
