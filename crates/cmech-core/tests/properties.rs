//! Invariants that hold for every presentation, checked on random machines.

use cmech_core::belief::belief_table;
use cmech_core::measures::{Measures, Quantity};
use cmech_core::mixed_state::{ExploreLimits, Identify, MixedStatePresentation};
use cmech_core::{measures, Hmm, MeasureOptions};
use proptest::prelude::*;

/// A random strongly connected unifilar machine: symbol 0 of state i always leads to i+1 (mod n),
/// so every state reaches every other; the other symbols go anywhere.
fn unifilar_machine() -> impl Strategy<Value = Hmm> {
    (1usize..6, 2usize..4).prop_flat_map(|(n, k)| {
        let edge = (any::<bool>(), 0..n, 1u32..20);
        proptest::collection::vec(proptest::collection::vec(edge, k), n).prop_map(move |rows| {
            let mut quads = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                let kept: Vec<(usize, usize, u32)> = row
                    .iter()
                    .enumerate()
                    .filter(|(x, (keep, _, _))| *x == 0 || *keep)
                    .map(|(x, &(_, to, w))| (x, if x == 0 { (i + 1) % n } else { to }, w))
                    .collect();
                let total: u32 = kept.iter().map(|e| e.2).sum();
                for (x, to, w) in kept {
                    quads.push((i, x, to, w as f64 / total as f64));
                }
            }
            Hmm::new(
                "random",
                (0..k).map(|x| x.to_string()).collect(),
                (0..n).map(|i| format!("s{i}")).collect(),
                quads,
            )
            .expect("valid by construction")
        })
    })
}

fn quads(h: &Hmm) -> Vec<(usize, usize, usize, f64)> {
    (0..h.num_states())
        .flat_map(|i| h.edges(i).iter().map(move |e| (i, e.symbol, e.to, e.p)))
        .collect()
}

fn quantities(m: &Measures) -> [&Quantity; 6] {
    [
        &m.entropy_rate,
        &m.excess_entropy,
        &m.statistical_complexity,
        &m.crypticity,
        &m.transient_information,
        &m.synchronization_information,
    ]
}

fn values(m: &Measures) -> Vec<Option<f64>> {
    quantities(m).iter().map(|q| q.value).collect()
}

/// Exact values must agree to 1e-8. Approached ones may stop one level apart (equal beliefs reached
/// through rounding-different arithmetic can fall on either side of the belief budget), so they must
/// agree within their last steps.
fn assert_same_measures(a: &Measures, b: &Measures) {
    for (x, y) in quantities(a).into_iter().zip(quantities(b)) {
        assert_eq!(x.status, y.status, "{x:?} vs {y:?}");
        let slack = [x, y]
            .iter()
            .map(|q| q.last_change.unwrap_or(0.0).abs())
            .sum::<f64>();
        match (x.value, y.value) {
            (Some(u), Some(v)) => assert!((u - v).abs() < 1e-8 + 2.0 * slack, "{x:?} vs {y:?}"),
            (u, v) => assert_eq!(u, v),
        }
    }
    assert_eq!(a.markov_order.value, b.markov_order.value);
    assert_eq!(a.cryptic_order.value, b.cryptic_order.value);
}

fn opts() -> MeasureOptions {
    MeasureOptions {
        block_length: 10,
        max_depth: 30,
        belief_budget: 1 << 14,
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn minimisation_is_idempotent(h in unifilar_machine()) {
        let once = h.minimize().unwrap();
        let twice = once.minimize().unwrap();
        prop_assert!(once.is_isomorphic(&twice, 1e-12));
        prop_assert_eq!(once.num_states(), twice.num_states());
    }

    #[test]
    fn relabelling_states_changes_no_measure(h in unifilar_machine(), rot in 0usize..6) {
        let n = h.num_states();
        let perm = |i: usize| (i + rot) % n;
        let mut states = vec![String::new(); n];
        for i in 0..n {
            states[perm(i)] = h.states()[i].clone();
        }
        let relabelled = Hmm::new(
            "relabelled",
            h.alphabet().to_vec(),
            states,
            quads(&h).into_iter().map(|(i, x, j, p)| (perm(i), x, perm(j), p)),
        ).unwrap();
        prop_assert!(h.is_isomorphic(&relabelled, 1e-12));
        assert_same_measures(&measures(&h, &opts()).unwrap(), &measures(&relabelled, &opts()).unwrap());
    }

    #[test]
    fn entropies_are_ordered(h in unifilar_machine()) {
        let m = measures(&h, &opts()).unwrap();
        let big_h = &m.block_entropies;
        prop_assert_eq!(big_h[0], 0.0);
        for l in 1..big_h.len() {
            // H(L) non-decreasing, and h(L) = H(L) - H(L-1) non-increasing (H concave).
            prop_assert!(big_h[l] >= big_h[l - 1] - 1e-12);
            if l >= 2 {
                prop_assert!(big_h[l] - big_h[l - 1] <= big_h[l - 1] - big_h[l - 2] + 1e-12);
            }
            // h(L) never falls below h_mu.
            prop_assert!(big_h[l] - big_h[l - 1] >= m.entropy_rate.value.unwrap() - 1e-12);
        }
        for v in values(&m).into_iter().flatten() {
            prop_assert!(v >= 0.0, "negative measure {}", v);
        }
        let (c, e) = (m.statistical_complexity.value.unwrap(), m.excess_entropy.value.unwrap());
        prop_assert!(e <= c + 1e-9, "E {} > C_mu {}", e, c);
    }

    #[test]
    fn sampled_frequencies_match_the_stationary_prediction(h in unifilar_machine(), seed in any::<u64>()) {
        let pi = h.stationary_distribution().unwrap();
        let n = 200_000;
        let sample = h.sample(n, seed).unwrap();
        prop_assert_eq!(&sample, &h.sample(n, seed).unwrap());
        for x in 0..h.num_symbols() {
            let want: f64 = (0..h.num_states()).map(|i| pi[i] * h.emission(i, x)).sum();
            let got = sample.iter().filter(|&&s| s == x).count() as f64 / n as f64;
            // Correlated samples: allow ten times the i.i.d. standard error plus a margin.
            prop_assert!((got - want).abs() < 0.01 + 10.0 * (want * (1.0 - want) / n as f64).sqrt(),
                "symbol {}: {} vs {}", x, got, want);
        }
    }

    /// Where E is only approached, its bounds must hold the value found with far more beliefs.
    #[test]
    fn approached_excess_entropy_is_bracketed(h in unifilar_machine()) {
        let small = measures(&h, &MeasureOptions { belief_budget: 1 << 6, ..opts() }).unwrap();
        let large = measures(&h, &MeasureOptions { belief_budget: 1 << 16, ..opts() }).unwrap();
        if let Some([lo, hi]) = small.excess_entropy.bounds {
            let (e, bounds) = (large.excess_entropy.value.unwrap(), large.excess_entropy.bounds);
            let [l2, h2] = bounds.unwrap_or([e, e]);
            prop_assert!(lo <= h2 + 1e-9 && l2 <= hi + 1e-9, "[{}, {}] vs [{}, {}]", lo, hi, l2, h2);
            prop_assert!(lo <= e + 1e-9 && e <= hi + 1e-9 || bounds.is_some());
        }
    }

    /// Splitting a state into two copies with the same future makes the presentation nonunifilar
    /// without changing the process: minimisation must find the same epsilon-machine.
    #[test]
    fn nonunifilar_copies_minimise_to_the_same_machine(h in unifilar_machine(), w in 1u32..9) {
        let n = h.num_states();
        let split = w as f64 / 10.0;
        let mut q = Vec::new();
        for (i, x, j, p) in quads(&h) {
            for from in if i == 0 { vec![0, n] } else { vec![i] } {
                if j == 0 {
                    q.push((from, x, 0, p * split));
                    q.push((from, x, n, p * (1.0 - split)));
                } else {
                    q.push((from, x, j, p));
                }
            }
        }
        let mut states = h.states().to_vec();
        states.push("copy".into());
        let copied = Hmm::new("copied", h.alphabet().to_vec(), states, q).unwrap();
        prop_assert!(!copied.is_unifilar());
        prop_assert!(copied.minimize().unwrap().is_isomorphic(&h.minimize().unwrap(), 1e-9));
        assert_same_measures(&measures(&h, &opts()).unwrap(), &measures(&copied, &opts()).unwrap());
    }

    #[test]
    fn mixed_states_are_distributions_carrying_the_word_probabilities(h in unifilar_machine()) {
        let pi = h.stationary_distribution().unwrap();
        let limits = ExploreLimits { max_depth: Some(6), ..ExploreLimits::default() };
        let msp = MixedStatePresentation::explore(&h, &pi, &limits, Identify::Distribution).unwrap();
        for k in 0..msp.len() {
            let b = msp.belief(k);
            prop_assert!(b.iter().all(|&p| p >= 0.0));
            prop_assert!((b.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        for k in 0..msp.expanded() {
            prop_assert!((msp.edges(k).iter().map(|e| e.p).sum::<f64>() - 1.0).abs() < 1e-12);
        }
        for (d, &m) in msp.new_mass().iter().enumerate() {
            let at: f64 = (0..msp.len())
                .filter(|&k| msp.depths()[k] as usize == d)
                .map(|k| msp.probabilities()[k])
                .sum();
            prop_assert!((at - m).abs() < 1e-12 && m <= 1.0 + 1e-12);
        }
        // Following a word through the MSP reaches the belief the table gives after it.
        let table = belief_table(&h, 4, None).unwrap();
        prop_assert!((table.probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let n = h.num_states();
        for w in 0..table.words() {
            let mut node = 0;
            for &x in &table.words[w * 4..(w + 1) * 4] {
                node = msp.edges(node).iter().find(|e| e.symbol == x).unwrap().to as usize;
            }
            let want = &table.beliefs[(w * 4 + 3) * n..(w * 4 + 4) * n];
            for (a, b) in msp.belief(node).iter().zip(want) {
                prop_assert!((a - b).abs() < 1e-9);
            }
        }
    }
}

/// Isomorphism by trying every bijection of states: the oracle for `is_isomorphic`.
fn isomorphic_by_every_bijection(a: &Hmm, b: &Hmm, tol: f64) -> bool {
    fn all_maps(
        n: usize,
        map: &mut Vec<usize>,
        used: &mut Vec<bool>,
        f: &mut dyn FnMut(&[usize]) -> bool,
    ) -> bool {
        if map.len() == n {
            return f(map);
        }
        for j in 0..n {
            if !used[j] {
                used[j] = true;
                map.push(j);
                let found = all_maps(n, map, used, f);
                map.pop();
                used[j] = false;
                if found {
                    return true;
                }
            }
        }
        false
    }
    if a.num_states() != b.num_states() || a.alphabet() != b.alphabet() {
        return false;
    }
    let n = a.num_states();
    all_maps(n, &mut Vec::new(), &mut vec![false; n], &mut |map| {
        (0..n).all(|i| {
            a.edges(i).len() == b.edges(map[i]).len()
                && a.edges(i).iter().all(|e| {
                    b.edges(map[i]).iter().any(|f| {
                        f.symbol == e.symbol && f.to == map[e.to] && (f.p - e.p).abs() <= tol
                    })
                })
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn isomorphism_of_unifilar_machines_is_every_bijections(
        a in unifilar_machine(),
        b in unifilar_machine(),
        shift in 0usize..6,
    ) {
        // Unifilar machines take the polynomial path; it must agree with trying every bijection,
        // on unrelated pairs and on a machine against a relabelling of itself, exactly and by
        // structure alone (tol = 1).
        let n = a.num_states();
        let perm = |i: usize| (n - 1 - i + shift) % n;
        let relabelled = Hmm::new(
            "relabelled",
            a.alphabet().to_vec(),
            (0..n).map(|i| format!("t{i}")).collect(),
            quads(&a).into_iter().map(|(i, x, j, p)| (perm(i), x, perm(j), p)),
        )
        .unwrap();
        for tol in [1e-12, 1.0] {
            prop_assert_eq!(a.is_isomorphic(&b, tol), isomorphic_by_every_bijection(&a, &b, tol));
            prop_assert!(a.is_isomorphic(&relabelled, tol));
        }
    }
}
