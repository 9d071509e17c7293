//! The mixed-state presentation, belief trajectories and belief tables against theory and the
//! reference values of reference/processes.json.

use cmech_core::belief::{belief_table, belief_trajectory, BeliefTracker};
use cmech_core::mixed_state::{ExploreLimits, Identify, MixedStatePresentation, Stop};
use cmech_core::presentation::Hmm;
use cmech_core::{measures, named, MeasureOptions};
use serde_json::Value;

/// The reference values of `reference/processes.json` in the repository (their sources are in
/// `reference/README.md`); a missing or unreadable file fails the test.
fn reference() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../reference/processes.json"
    );
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("the reference values {path} cannot be read: {e}"));
    serde_json::from_str(&text).expect("reference file is JSON")
}

fn explore(h: &Hmm, limits: ExploreLimits) -> MixedStatePresentation {
    let pi = h.stationary_distribution().unwrap();
    MixedStatePresentation::explore(h, &pi, &limits, Identify::Distribution).unwrap()
}

fn to_depth(d: usize) -> ExploreLimits {
    ExploreLimits {
        max_depth: Some(d),
        ..ExploreLimits::default()
    }
}

/// H(L) by summing over all |A|^L words: the brute-force oracle.
fn brute_block_entropy(h: &Hmm, l: usize) -> f64 {
    let pi = h.stationary_distribution().unwrap();
    let k = h.num_symbols();
    let mut total = 0.0;
    for code in 0..k.pow(l as u32) {
        let mut v = pi.clone();
        let mut c = code;
        for _ in 0..l {
            let x = c % k;
            c /= k;
            let mut w = vec![0.0; v.len()];
            for (i, &vi) in v.iter().enumerate() {
                for e in h.edges(i).iter().filter(|e| e.symbol == x) {
                    w[e.to] += vi * e.p;
                }
            }
            v = w;
        }
        let p: f64 = v.iter().sum();
        if p > 0.0 {
            total -= p * p.log2();
        }
    }
    total
}

#[test]
fn unifilar_processes_close_on_their_epsilon_machines() {
    let r = reference();
    for (key, name) in [
        ("golden_mean", "golden-mean"),
        ("even", "even"),
        ("rrxor", "rrxor"),
        ("z1r", "z1r"),
    ] {
        let want = &r[key];
        let h = named(name, &[]).unwrap();
        let msp = explore(&h, ExploreLimits::default());
        assert_eq!(msp.stop(), Stop::Closed, "{name}");
        assert_eq!(
            msp.len() as u64,
            want["msp_states"].as_u64().unwrap(),
            "{name}: mixed states"
        );
        // Its recurrent part is the epsilon-machine.
        let recurrent = msp.recurrent_part(&h).unwrap();
        assert!(
            recurrent.is_isomorphic(&h.minimize().unwrap(), 1e-12),
            "{name}"
        );
        // Probabilities: those first reached at each depth add up to the newly reached mass,
        // which vanishes once the observer is in the recurrent part.
        for (d, &m) in msp.new_mass().iter().enumerate() {
            let at: f64 = (0..msp.len())
                .filter(|&k| msp.depths()[k] as usize == d)
                .map(|k| msp.probabilities()[k])
                .sum();
            assert!((at - m).abs() < 1e-12, "{name} depth {d}: {at} vs {m}");
        }
        for k in 0..msp.len() {
            let b: f64 = msp.belief(k).iter().sum();
            assert!((b - 1.0).abs() < 1e-12);
            let p: f64 = msp.edges(k).iter().map(|e| e.p).sum();
            assert!((p - 1.0).abs() < 1e-12);
        }

        let m = measures(&h, &MeasureOptions::default()).unwrap();
        let s = want["S"].as_f64().unwrap();
        let got = m.synchronization_information.value.unwrap();
        assert!((got - s).abs() < 1e-9, "{name} S {got} vs {s}");
        if let Some(curve) = want["state_uncertainty_L1_4"].as_array() {
            for (l, v) in curve.iter().enumerate() {
                let got = m.state_uncertainty[l + 1];
                let v = v.as_f64().unwrap();
                assert!(
                    (got - v).abs() < 1e-6,
                    "{name} H[S_{}|X] {got} vs {v}",
                    l + 1
                );
            }
        }
        assert!((m.state_uncertainty[0] - want["C_mu"].as_f64().unwrap()).abs() < 1e-12);
        // Block entropies summed over merged mixed states equal enumeration over all words.
        for l in 0..=8 {
            let brute = brute_block_entropy(&h, l);
            assert!(
                (m.block_entropies[l] - brute).abs() < 1e-10,
                "{name} H({l}): {} vs {brute}",
                m.block_entropies[l]
            );
        }
        for (l, v) in want["h_L"].as_array().unwrap().iter().enumerate() {
            let h_l = m.block_entropies[l + 1] - m.block_entropies[l];
            assert!(
                (h_l - v.as_f64().unwrap()).abs() < 1e-6,
                "{name} h({})",
                l + 1
            );
        }
    }
}

#[test]
fn mess3_beliefs_are_a_fractal_strictly_inside_the_simplex() {
    let r = reference();
    let mess3 = named("mess3", &[]).unwrap();
    let pi = mess3.stationary_distribution().unwrap();
    assert!(pi.iter().all(|p| (p - 1.0 / 3.0).abs() < 1e-14));
    let depth = 9;
    let msp = explore(&mess3, to_depth(depth));
    assert_eq!(msp.stop(), Stop::Depth);
    // No accidental merging: every word reaches its own belief.
    for d in 0..=depth {
        let at = msp.depths().iter().filter(|&&x| x as usize == d).count();
        assert_eq!(at, 3usize.pow(d as u32), "depth {d}");
        assert!((msp.new_mass()[d] - 1.0).abs() < 1e-12);
    }
    // A hidden state that leaked into the beliefs would put them on the vertices or edges.
    let least = msp.beliefs().iter().cloned().fold(1.0, f64::min);
    assert!(least > 1e-3, "a belief touches the boundary: {least}");
    // The beliefs spread over the triangle rather than collapsing to a few points.
    let spread = msp
        .beliefs()
        .chunks(3)
        .map(|b| b[0])
        .fold((1.0f64, 0.0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
    assert!(spread.1 - spread.0 > 0.5, "{spread:?}");

    // h(L) through merged beliefs, against exact enumeration.
    let m = measures(&mess3, &MeasureOptions::default()).unwrap();
    for (l, v) in r["mess3"]["h_L_bits"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let h_l = m
            .block_entropies
            .get(l + 1)
            .map(|b| b - m.block_entropies[l]);
        if let Some(h_l) = h_l {
            assert!((h_l - v.as_f64().unwrap()).abs() < 1e-9, "h({l})");
        }
    }
    let h_mu = m.entropy_rate.value.unwrap();
    assert!((h_mu - 1.1447173).abs() < 5e-8, "h_mu {h_mu}");
    let limit = r["mess3"]["state_uncertainty_limit_bits"].as_f64().unwrap();
    let last = *m.state_uncertainty.last().unwrap();
    assert!((last - limit).abs() < 1e-3, "H[S|X] {last} vs {limit}");
}

#[test]
fn exploration_stops_on_tolerance_and_node_limit() {
    // Even: the unsynchronised mass halves every other step; a tolerance stops it early.
    let even = named("even", &[]).unwrap();
    let msp = explore(
        &even,
        ExploreLimits {
            min_new_mass: 0.3,
            ..ExploreLimits::default()
        },
    );
    assert_eq!(msp.stop(), Stop::Tolerance);
    assert!(*msp.new_mass().last().unwrap() < 0.3);
    let mess3 = named("mess3", &[]).unwrap();
    let msp = explore(
        &mess3,
        ExploreLimits {
            max_nodes: 100,
            ..ExploreLimits::default()
        },
    );
    assert_eq!(msp.stop(), Stop::NodeLimit);
    assert!(msp.len() <= 100);
    // Every expanded node has all its edges.
    for k in 0..msp.expanded() {
        assert_eq!(msp.edges(k).len(), 3);
    }
}

#[test]
fn trajectories_tables_and_mixed_states_agree() {
    let mess3 = named("mess3", &[]).unwrap();
    let table = belief_table(&mess3, 5, None).unwrap();
    assert_eq!(table.words(), 243);
    let total: f64 = table.probabilities.iter().sum();
    assert!((total - 1.0).abs() < 1e-12);
    let msp = explore(&mess3, to_depth(5));
    let n = 3;
    for w in [0usize, 17, 100, 242] {
        let word = &table.words[w * 5..(w + 1) * 5];
        let traj = belief_trajectory(&mess3, word, None).unwrap();
        assert_eq!(&traj[..], &table.beliefs[w * 15..(w + 1) * 15]);
        // Following the word through the MSP reaches the same belief.
        let mut node = 0;
        for &x in word {
            node = msp.edges(node).iter().find(|e| e.symbol == x).unwrap().to as usize;
        }
        for i in 0..n {
            assert!((msp.belief(node)[i] - traj[4 * n + i]).abs() < 1e-12);
        }
        assert!((msp.probabilities()[node] - table.probabilities[w]).abs() < 1e-15);
        let mut tracker = BeliefTracker::new(&mess3, None).unwrap();
        for &x in word {
            tracker.step(x).unwrap();
        }
        assert!((tracker.log2_probability().exp2() - table.probabilities[w]).abs() < 1e-15);
    }
    // Words come in lexicographic order.
    assert_eq!(&table.words[..10], &[0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    // A long trajectory stays normalised and inside the simplex (no underflow).
    let x: Vec<u32> = mess3
        .sample(200_000, 3)
        .unwrap()
        .into_iter()
        .map(|s| s as u32)
        .collect();
    let traj = belief_trajectory(&mess3, &x, None).unwrap();
    for b in traj.chunks(3) {
        assert!((b.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(b.iter().all(|&p| p > 1e-3));
    }
    // The average surprise per symbol approaches h_mu.
    let mut tracker = BeliefTracker::new(&mess3, None).unwrap();
    for &s in &x {
        tracker.step(s).unwrap();
    }
    let rate = -tracker.log2_probability() / x.len() as f64;
    assert!((rate - 1.1447173).abs() < 0.01, "{rate}");
}

#[test]
fn bad_arguments_are_refused() {
    let gm = named("golden-mean", &[]).unwrap();
    let bad = |start: &[f64], limits: ExploreLimits| {
        MixedStatePresentation::explore(&gm, start, &limits, Identify::Distribution)
            .unwrap_err()
            .to_string()
    };
    assert!(bad(&[0.5], ExploreLimits::default()).contains("2 components"));
    assert!(bad(&[0.5, f64::NAN], ExploreLimits::default()).contains("NaN"));
    assert!(bad(&[0.5, 0.6], ExploreLimits::default()).contains("sum to"));
    let limits = ExploreLimits {
        resolution: 0.0,
        ..ExploreLimits::default()
    };
    assert!(bad(&[0.5, 0.5], limits).contains("resolution"));
    assert!(belief_table(&gm, 0, None).is_err());
    assert!(belief_trajectory(&gm, &[5], None)
        .unwrap_err()
        .to_string()
        .contains("not in the alphabet"));
}
