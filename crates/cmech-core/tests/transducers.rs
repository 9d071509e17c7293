//! Transducers: validation, formats, minimisation, driving and exact measures under given inputs.

use cmech_core::measures::{Quantity, Status};
use cmech_core::transducer::{named_transducer, TransducerEdge, TRANSDUCERS};
use cmech_core::{named, CmechError, Hmm, MeasureOptions, Transducer};
use proptest::prelude::*;

const TOL: f64 = 1e-12;

fn h2(p: f64) -> f64 {
    if p <= 0.0 || p >= 1.0 {
        return 0.0;
    }
    -(p * p.log2() + (1.0 - p) * (1.0 - p).log2())
}

fn fair() -> Hmm {
    named("biased-coin", &[]).unwrap()
}

fn golden() -> Hmm {
    named("golden-mean", &[]).unwrap()
}

fn t(name: &str) -> Transducer {
    named_transducer(name, &[]).unwrap()
}

fn bits() -> Vec<String> {
    vec!["0".into(), "1".into()]
}

fn edge(input: usize, output: usize, to: usize, p: f64) -> TransducerEdge {
    TransducerEdge {
        input,
        output,
        to,
        p,
    }
}

fn exact(q: &Quantity, want: f64, what: &str) {
    assert_eq!(q.status, Status::Exact, "{what}: {q:?}");
    let v = q.value.unwrap();
    assert!((v - want).abs() < 1e-9, "{what}: {v} != {want}");
}

fn invalid_message(r: Result<Transducer, CmechError>) -> String {
    match r {
        Err(e @ CmechError::InvalidTransducer(_)) => e.to_string(),
        other => panic!("expected an invalid transducer, got {other:?}"),
    }
}

#[test]
fn every_named_transducer_builds_round_trips_and_is_minimal() {
    for spec in TRANSDUCERS {
        let t = named_transducer(spec.name, &[]).unwrap();
        assert_eq!(t.name(), spec.name);
        assert!(t.is_complete() && t.is_unifilar(), "{}", spec.name);
        let back = Transducer::from_json(&t.to_json()).unwrap();
        assert_eq!(back, t, "{}", spec.name);
        assert_eq!(t.minimize().num_states(), t.num_states(), "{}", spec.name);
    }
}

#[test]
fn parameters_are_checked() {
    let bsc = named_transducer("bsc", &[("q", "1/4")]).unwrap();
    assert_eq!(bsc.edges(0)[0].p, 0.75);
    let e = named_transducer("bsc", &[("q", "2")])
        .unwrap_err()
        .to_string();
    assert!(e.contains("q = 2 is outside [0, 1]"), "{e}");
    let e = named_transducer("bsc", &[("flip", "0.2")])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown parameter 'flip' (parameters: q)"),
        "{e}"
    );
    let e = named_transducer("nope", &[]).unwrap_err().to_string();
    assert!(
        e.contains("unknown transducer 'nope' (known: identity, bsc"),
        "{e}"
    );
}

#[test]
fn dot_labels_are_output_bar_input_colon_probability() {
    let dot = named_transducer("bsc", &[("q", "0.25")]).unwrap().to_dot();
    assert!(dot.contains(r#""A" -> "A" [label="1|0:0.25"];"#), "{dot}");
    assert!(dot.contains(r#""A" -> "A" [label="0|0:0.75"];"#), "{dot}");
}

#[test]
fn json_accepts_fractions_and_rejects_what_presentations_reject() {
    let doc = r#"{"name": "third", "inputs": ["a"], "outputs": ["u", "v"], "states": ["S"],
        "transitions": [{"from": "S", "input": "a", "output": "u", "to": "S", "p": "1/3"},
                        {"from": "S", "input": "a", "output": "v", "to": "S", "p": "2/3"}]}"#;
    let t = Transducer::from_json(doc).unwrap();
    assert!((t.edges(0)[0].p - 1.0 / 3.0).abs() < 1e-15);
    let bad = |from: &str, to: &str| invalid_message(Transducer::from_json(&doc.replace(from, to)));
    assert!(bad(r#""2/3""#, "0.5")
        .contains("transitions out of state S reading input a sum to 0.8333333333333333"));
    assert!(bad(r#""1/3""#, r#""x""#).contains("probability of S -u|a-> S is 'x', not a number"));
    assert!(bad(r#""1/3""#, "-0.1").contains("outside [0, 1]"));
    assert!(
        bad(r#""to": "S", "p": "1/3""#, r#""to": "T", "p": "1/3""#).contains("unknown state 'T'")
    );
    assert!(bad(r#""output": "u""#, r#""output": "w""#).contains("unknown output 'w'"));
    assert!(bad(r#""inputs""#, r#""inputz""#).contains("not a transducer JSON document"));
    assert!(bad(r#"["S"]"#, r#"["S", "S"]"#).contains("state 'S' appears twice in states"));
    assert!(invalid_message(Transducer::from_json("{")).contains("not a transducer JSON"));
}

#[test]
fn construction_errors_name_the_fault() {
    let make = |edges: Vec<Vec<TransducerEdge>>| {
        Transducer::new("t".into(), bits(), bits(), vec!["A".into()], edges)
    };
    assert!(invalid_message(make(vec![vec![edge(0, 0, 0, f64::NAN)]])).contains("NaN"));
    assert!(invalid_message(make(vec![vec![edge(2, 0, 0, 1.0)]])).contains("input index 2"));
    assert!(invalid_message(make(vec![vec![edge(0, 5, 0, 1.0)]])).contains("output index 5"));
    assert!(invalid_message(make(vec![vec![edge(0, 0, 3, 1.0)]])).contains("state index 3"));
    assert!(invalid_message(make(vec![vec![]]))
        .contains("state A has no outgoing transitions for any input"));
    assert!(
        invalid_message(make(vec![vec![edge(0, 0, 0, 0.5), edge(0, 0, 0, 0.5)]]))
            .contains("transition A -0|0-> A is given twice")
    );
    assert!(invalid_message(make(vec![])).contains("0 rows of edges given for 1 states"));
    let e = Transducer::new("t".into(), vec![], bits(), vec!["A".into()], vec![vec![]]);
    assert!(invalid_message(e).contains("inputs is empty"));
}

/// Two states; B never saw input 1.
fn partial() -> Transducer {
    Transducer::new(
        "partial".into(),
        bits(),
        bits(),
        vec!["A".into(), "B".into()],
        vec![
            vec![edge(0, 0, 1, 1.0), edge(1, 1, 0, 1.0)],
            vec![edge(0, 0, 0, 1.0)],
        ],
    )
    .unwrap()
}

#[test]
fn an_undefined_input_is_allowed_but_driving_into_it_fails() {
    // State B never saw input 1.
    let t = partial();
    assert!(!t.is_complete());
    assert!(t.is_unifilar());
    assert_eq!(
        t.drive_sequence(&[1, 1, 0, 0], 1).unwrap(),
        vec![1, 1, 0, 0]
    );
    let e = t.drive_sequence(&[0, 1], 1).unwrap_err().to_string();
    assert_eq!(
        e,
        "transducer 'partial' has no transitions for input '1' in state 'B' (input position 1)"
    );
    let e = t.drive(&fair(), 10, 1).unwrap_err().to_string();
    assert!(
        e.contains("no transitions for input '1' in state 'B'"),
        "{e}"
    );
    // An input of only 0s keeps to the defined inputs.
    let zeros = named("period", &[("word", "0")]).unwrap();
    assert_eq!(t.drive(&zeros, 4, 1).unwrap().1, vec![0, 0, 0, 0]);
    let e = t.drive_sequence(&[2], 1).unwrap_err().to_string();
    assert!(e.contains("input 2 at position 0 is out of range"), "{e}");
}

#[test]
fn unifilarity_and_isomorphism() {
    let split = Transducer::new(
        "split".into(),
        bits(),
        bits(),
        vec!["A".into(), "B".into()],
        vec![
            vec![edge(0, 0, 0, 0.5), edge(0, 0, 1, 0.5), edge(1, 1, 0, 1.0)],
            vec![edge(0, 0, 0, 1.0), edge(1, 1, 1, 1.0)],
        ],
    )
    .unwrap();
    assert!(!split.is_unifilar());
    let delay = t("delay");
    let doc = delay
        .to_json()
        .replace("\"L0\"", "\"zero\"")
        .replace("\"L1\"", "\"one\"");
    let renamed = Transducer::from_json(&doc).unwrap();
    assert!(delay.is_isomorphic(&renamed, 1e-9));
    assert!(!delay.is_isomorphic(&t("xor"), 1e-9));
    assert!(!t("bsc").is_isomorphic(&named_transducer("bsc", &[("q", "0.2")]).unwrap(), 0.05));
    assert!(t("bsc").is_isomorphic(&named_transducer("bsc", &[("q", "0.105")]).unwrap(), 0.01));
}

#[test]
fn minimisation_merges_states_with_the_same_conditional_futures() {
    // Delay with its "last input was 1" state duplicated: L1 and L1' behave alike.
    let names = vec!["L0".to_string(), "L1".into(), "L1'".into()];
    let dup = Transducer::new(
        "delay".into(),
        bits(),
        bits(),
        names,
        vec![
            vec![edge(0, 0, 0, 1.0), edge(1, 0, 2, 1.0)],
            vec![edge(0, 1, 0, 1.0), edge(1, 1, 1, 1.0)],
            vec![edge(0, 1, 0, 1.0), edge(1, 1, 1, 1.0)],
        ],
    )
    .unwrap();
    let m = dup.minimize();
    assert_eq!(m.num_states(), 2);
    assert!(m.is_isomorphic(&t("delay"), 1e-12));
    assert_eq!(m.minimize(), m);
    // The identity with a redundant second state collapses to one state.
    let id2 = Transducer::new(
        "id2".into(),
        bits(),
        bits(),
        vec!["A".into(), "B".into()],
        vec![
            vec![edge(0, 0, 1, 1.0), edge(1, 1, 0, 1.0)],
            vec![edge(0, 0, 0, 1.0), edge(1, 1, 1, 1.0)],
        ],
    )
    .unwrap();
    assert!(id2.minimize().is_isomorphic(&t("identity"), 1e-12));
    // A state that leaves an input undefined is never merged with one that defines it.
    assert_eq!(partial().minimize().num_states(), 2);
}

#[test]
fn driving_is_seeded_and_does_what_the_transducer_says() {
    let (x, y) = t("delay").drive(&fair(), 10_000, 7).unwrap();
    assert_eq!(
        t("delay").drive(&fair(), 10_000, 7).unwrap(),
        (x.clone(), y.clone())
    );
    assert_ne!(t("delay").drive(&fair(), 10_000, 8).unwrap().0, x);
    assert_eq!(&y[1..], &x[..x.len() - 1]);
    let (x, y) = t("xor").drive(&golden(), 10_000, 1).unwrap();
    assert!((1..x.len()).all(|i| y[i] == x[i] ^ x[i - 1]));
    assert!(x.windows(2).all(|w| w != [0, 0]), "golden-mean input");
    let (x, y) = t("identity").drive(&golden(), 1000, 3).unwrap();
    assert_eq!(x, y);
    let (x, y) = named_transducer("bsc", &[("q", "0.2")])
        .unwrap()
        .drive(&fair(), 200_000, 5)
        .unwrap();
    let flips = x.iter().zip(&y).filter(|(a, b)| a != b).count() as f64 / 200_000.0;
    assert!((flips - 0.2).abs() < 0.005, "{flips}");
    let (x, y) = t("golden-mean-output").drive(&fair(), 10_000, 2).unwrap();
    assert!(y.windows(2).all(|w| w != [0, 0]));
    assert!(x.iter().filter(|&&v| v == 1).count() > 4000);
    let seq = vec![1, 0, 1, 1, 0, 0, 1];
    let out = t("delay").drive_sequence(&seq, 0).unwrap();
    assert_eq!(out, vec![0, 1, 0, 1, 1, 0, 0], "state 0 (L0) starts");
    assert_eq!(
        t("bsc").drive_sequence(&seq, 9).unwrap(),
        t("bsc").drive_sequence(&seq, 9).unwrap()
    );
}

#[test]
fn driving_with_symbols_the_transducer_does_not_read_fails() {
    let abc = named("period", &[("word", "ab")]).unwrap();
    let e = t("identity").drive(&abc, 5, 1).unwrap_err().to_string();
    assert!(
        e.contains("the input process 'period' emits 'a', which is not an input of transducer 'identity' (inputs: 0, 1)"),
        "{e}"
    );
}

#[test]
fn a_periodic_input_into_a_periodic_transducer_starts_the_transducer_in_state_0() {
    // Period-2 input into the period-2 identity-NOT: two recurrent classes (in phase or not).
    let p2 = named("period", &[("word", "01")]).unwrap();
    let (x, y) = t("identity-not").drive(&p2, 6, 4).unwrap();
    // The transducer starts in I: y = x, then NOT x, alternately.
    let want: Vec<usize> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| if i % 2 == 0 { v } else { 1 - v })
        .collect();
    assert_eq!(y, want);
    let e = t("identity-not")
        .measures(&p2, &MeasureOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("not ergodic"), "{e}");
}

fn measured(
    name: &str,
    params: &[(&str, &str)],
    input: &Hmm,
) -> cmech_core::transducer::TransducerMeasures {
    named_transducer(name, params)
        .unwrap()
        .measures(input, &MeasureOptions::default())
        .unwrap()
}

/// (name, params, C_mu, h(Y|X), I).
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], f64, f64, f64);

#[test]
fn measures_under_a_fair_coin() {
    let h_third = h2(1.0 / 3.0);
    let cases: &[Case] = &[
        ("identity", &[], 0.0, 0.0, 1.0),
        ("bsc", &[], 0.0, h2(0.1), 1.0 - h2(0.1)),
        ("bsc", &[("q", "0.3")], 0.0, h2(0.3), 1.0 - h2(0.3)),
        ("delay", &[], 1.0, 0.0, 1.0),
        ("xor", &[], 1.0, 0.0, 1.0),
        ("feedback-xor", &[], 1.0, h2(0.1), 1.0 - h2(0.1)),
        ("all-is-fair", &[], 0.0, 1.0, 0.0),
        // Y is i.i.d. with Pr(1) = 1/4 and h(Y|X) = H(1/2) / 2.
        ("z-channel", &[], 0.0, 0.5, h2(0.25) - 0.5),
        ("identity-not", &[], 1.0, 0.0, 1.0),
        // Parity states E, O with pi = (2/3, 1/3); only O is random.
        ("odd-random", &[], h_third, 1.0 / 3.0, f64::NAN),
        ("golden-mean-output", &[], h_third, 2.0 / 3.0, 0.0),
    ];
    for &(name, params, c_mu, h_cond, mi) in cases {
        let m = measured(name, params, &fair());
        exact(&m.statistical_complexity, c_mu, &format!("{name} C_mu"));
        exact(
            &m.conditional_entropy_rate,
            h_cond,
            &format!("{name} h(Y|X)"),
        );
        exact(&m.input_entropy_rate, 1.0, &format!("{name} h(X)"));
        if !mi.is_nan() {
            exact(&m.mutual_information_rate, mi, &format!("{name} I"));
        }
    }
}

#[test]
fn measures_under_the_golden_mean() {
    // Golden mean (p = 1/2): pi(A) = 2/3, h(X) = 2/3; the last input is 1 with probability 2/3.
    let (h_x, h_third) = (2.0 / 3.0, h2(1.0 / 3.0));
    let gm = golden();
    let m = measured("identity", &[], &gm);
    exact(&m.statistical_complexity, 0.0, "identity C_mu");
    exact(&m.conditional_entropy_rate, 0.0, "identity h(Y|X)");
    exact(&m.mutual_information_rate, h_x, "identity I");
    // The delayed input is the same process: h(Y) = h(X).
    let m = measured("delay", &[], &gm);
    exact(&m.statistical_complexity, h_third, "delay C_mu");
    exact(&m.conditional_entropy_rate, 0.0, "delay h(Y|X)");
    exact(&m.output_entropy_rate, h_x, "delay h(Y)");
    exact(&m.mutual_information_rate, h_x, "delay I");
    // XOR of the last two is a 2-to-1 sliding-block code, so it keeps the entropy rate.
    let m = measured("xor", &[], &gm);
    exact(&m.statistical_complexity, h_third, "xor C_mu");
    exact(&m.conditional_entropy_rate, 0.0, "xor h(Y|X)");
    exact(&m.mutual_information_rate, h_x, "xor I");
    // Input ignored: the output is a golden mean, independent of the input.
    let m = measured("golden-mean-output", &[], &gm);
    exact(&m.conditional_entropy_rate, 2.0 / 3.0, "gm-output h(Y|X)");
    exact(&m.mutual_information_rate, 0.0, "gm-output I");
    // The channel noise is independent of everything: h(Y|X) = H(q) whatever the input. The
    // golden mean through a BSC has no finite epsilon-machine, so I is approached, with bounds.
    let m = measured("bsc", &[("q", "0.2")], &gm);
    exact(&m.conditional_entropy_rate, h2(0.2), "bsc h(Y|X)");
    let i = &m.mutual_information_rate;
    assert_eq!(i.status, Status::Approached, "{i:?}");
    let [lo, hi] = i.bounds.unwrap();
    let v = i.value.unwrap();
    assert!(0.0 < lo && lo <= v && v <= hi && v <= h_x, "{i:?}");
    assert!(hi - lo < 0.05, "{i:?}");
    // Feedback XOR: the noise is independent of the input and of the past, so h(Y|X) = H(e).
    let m = measured("feedback-xor", &[("e", "0.25")], &gm);
    exact(&m.conditional_entropy_rate, h2(0.25), "feedback-xor h(Y|X)");
}

#[test]
fn measures_serialise_with_their_statuses() {
    let m = measured("delay", &[], &fair());
    let v: serde_json::Value = serde_json::to_value(&m).unwrap();
    assert_eq!(v["C_mu"]["status"], "exact");
    assert_eq!(v["I"]["value"], 1.0);
    assert_eq!(v["transducer_states"], serde_json::json!(["L0", "L1"]));
    assert_eq!(v["state_distribution"], serde_json::json!([0.5, 0.5]));
}

/// A random complete transducer on `n` states over {0,1} -> {0,1}, from weights.
fn random_transducer() -> impl Strategy<Value = Transducer> {
    (1usize..5).prop_flat_map(|n| {
        let answer = (0..2usize, 0..n, 0u32..4);
        proptest::collection::vec(
            proptest::collection::vec(proptest::collection::vec(answer, 1..4), 2),
            n,
        )
        .prop_map(move |rows| {
            let edges = rows
                .iter()
                .map(|per_input| {
                    let mut row: Vec<TransducerEdge> = Vec::new();
                    for (x, answers) in per_input.iter().enumerate() {
                        let mut kept: Vec<(usize, usize, u32)> = Vec::new();
                        for &(y, to, w) in answers {
                            match kept.iter_mut().find(|k| (k.0, k.1) == (y, to)) {
                                Some(k) => k.2 += w + 1,
                                None => kept.push((y, to, w + 1)),
                            }
                        }
                        let total: u32 = kept.iter().map(|k| k.2).sum();
                        row.extend(
                            kept.iter()
                                .map(|&(y, to, w)| edge(x, y, to, w as f64 / total as f64)),
                        );
                    }
                    row
                })
                .collect();
            Transducer::new(
                "random".into(),
                bits(),
                bits(),
                (0..n).map(|i| format!("s{i}")).collect(),
                edges,
            )
            .expect("valid by construction")
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn joint_rows_are_distributions_and_samples_stay_in_range(
        t in random_transducer(), p in 0.05f64..0.95, seed in any::<u64>()
    ) {
        let input = named("biased-coin", &[("p", &p.to_string())]).unwrap();
        let joint = t.joint_process(&input).unwrap();
        for i in 0..joint.hmm.num_states() {
            let sum: f64 = joint.hmm.edges(i).iter().map(|e| e.p).sum();
            prop_assert!((sum - 1.0).abs() < TOL, "row {i} sums to {sum}");
        }
        let out = joint.output_process();
        for i in 0..out.num_states() {
            let sum: f64 = out.edges(i).iter().map(|e| e.p).sum();
            prop_assert!((sum - 1.0).abs() < TOL);
        }
        let (x, y) = t.drive(&input, 200, seed).unwrap();
        prop_assert!(x.len() == 200 && y.len() == 200);
        prop_assert!(x.iter().chain(&y).all(|&s| s < 2));
        prop_assert_eq!(t.drive_sequence(&x, seed).unwrap().len(), 200);
    }

    #[test]
    fn minimisation_is_idempotent_and_keeps_the_conditional_entropy_rate(t in random_transducer()) {
        let m = t.minimize();
        prop_assert!(m.num_states() <= t.num_states());
        prop_assert_eq!(m.minimize(), m.clone());
        prop_assert!(Transducer::from_json(&m.to_json()).unwrap().is_isomorphic(&m, 1e-12));
        if t.is_unifilar() {
            let opts = MeasureOptions { max_depth: 8, belief_budget: 1 << 12, ..Default::default() };
            let (a, b) = match (t.measures(&fair(), &opts), m.measures(&fair(), &opts)) {
                (Ok(a), Ok(b)) => (a, b),
                // Several recurrent classes under this input: nothing to compare.
                _ => return Ok(()),
            };
            let (ha, hb) = (a.joint_entropy_rate.value.unwrap(), b.joint_entropy_rate.value.unwrap());
            prop_assert!((ha - hb).abs() < 1e-9, "{} vs {}", ha, hb);
        }
    }
}
