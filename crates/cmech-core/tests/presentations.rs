//! Validation, JSON and DOT formats, and the library of named processes.

use cmech_core::named::{named_source, NamedSource};
use cmech_core::sources::{logistic_symbols, Logistic};
use cmech_core::{named, CmechError, Hmm, PROCESSES};

fn err(json: &str) -> String {
    Hmm::from_json(json).unwrap_err().to_string()
}

const EVEN_JSON: &str = r#"{
  "name": "even",
  "alphabet": ["0", "1"],
  "states": ["A", "B"],
  "transitions": [
    {"from": "A", "symbol": "0", "to": "A", "p": 0.5},
    {"from": "A", "symbol": "1", "to": "B", "p": "1/2"},
    {"from": "B", "symbol": "1", "to": "A", "p": 1}
  ]
}"#;

#[test]
fn json_round_trips_and_matches_the_named_process() {
    let h = Hmm::from_json(EVEN_JSON).unwrap();
    assert!(h.is_isomorphic(&named("even", &[]).unwrap(), 1e-15));
    let again = Hmm::from_json(&h.to_json()).unwrap();
    assert_eq!(h, again);
    let matrices = r#"{"alphabet": ["0","1"], "states": ["A","B"],
        "matrices": {"0": [[0.5, 0], [0, 0]], "1": [[0, 0.5], [1, 0]]}}"#;
    assert!(Hmm::from_json(matrices).unwrap().is_isomorphic(&h, 1e-15));
}

#[test]
fn bad_documents_are_rejected_with_the_problem_named() {
    assert!(
        err(&EVEN_JSON[..60]).contains("EOF"),
        "{}",
        err(&EVEN_JSON[..60])
    );
    let short = EVEN_JSON.replace("\"p\": 1}", "\"p\": 0.9}");
    assert!(
        err(&short).contains("state B sum to 0.9"),
        "{}",
        err(&short)
    );
    let nan = EVEN_JSON.replace("\"p\": 0.5}", "\"p\": \"NaN\"}");
    assert!(err(&nan).contains("not a number"), "{}", err(&nan));
    let unknown = EVEN_JSON.replace("\"symbol\": \"0\"", "\"symbol\": \"2\"");
    assert!(
        err(&unknown).contains("unknown symbol '2'"),
        "{}",
        err(&unknown)
    );
    let negative = EVEN_JSON.replace("\"p\": 0.5}", "\"p\": -0.5}");
    assert!(
        err(&negative).contains("outside [0, 1]"),
        "{}",
        err(&negative)
    );
    let empty = r#"{"alphabet": [], "states": ["A"], "transitions": []}"#;
    assert!(err(empty).contains("alphabet is empty"));
    let stuck = r#"{"alphabet": ["0"], "states": ["A", "B"],
        "transitions": [{"from": "A", "symbol": "0", "to": "B", "p": 1}]}"#;
    assert!(
        err(stuck).contains("state B has no outgoing transitions"),
        "{}",
        err(stuck)
    );
    let typo = EVEN_JSON.replace("\"states\"", "\"stats\"");
    assert!(matches!(Hmm::from_json(&typo), Err(CmechError::Json(_))));
    // A probability of the wrong type is named as one, not as serde's internal enum.
    for (p, kind) in [
        ("true", "boolean `true`"),
        ("[1]", "sequence"),
        ("null", "null"),
    ] {
        let bad = EVEN_JSON.replace("\"p\": 1}", &format!("\"p\": {p}}}"));
        let e = err(&bad);
        assert!(
            e.contains(&format!(
                "invalid type: {kind}, expected a probability (a number, or a string such as \"0.25\" or \"1/3\")"
            )) && !e.contains("ProbDoc"),
            "{e}"
        );
    }
}

#[test]
fn nan_in_matrices_is_rejected() {
    let m = vec![vec![vec![f64::NAN]]];
    let e = Hmm::from_matrices("x", vec!["0".into()], vec!["A".into()], &m).unwrap_err();
    assert!(e.to_string().contains("NaN"), "{e}");
}

#[test]
fn structural_properties() {
    let even = named("even", &[]).unwrap();
    assert!(even.is_unifilar() && even.is_strongly_connected());
    assert!(!named("mess3", &[]).unwrap().is_unifilar());
    assert!(!named("sns", &[]).unwrap().is_unifilar());
    // Z1R puts two symbols on the same pair of states: both edges must survive.
    let z1r = named("z1r", &[]).unwrap();
    let r = z1r.state_index("R").unwrap();
    assert_eq!(z1r.edges(r).len(), 2);
    // A transient state is dropped by minimisation; two recurrent classes are an error.
    let transient = Hmm::new(
        "t",
        vec!["0".into(), "1".into()],
        vec!["T".into(), "A".into()],
        [(0, 0, 1, 1.0), (1, 0, 1, 0.5), (1, 1, 1, 0.5)],
    )
    .unwrap();
    assert!(!transient.is_strongly_connected());
    assert_eq!(transient.stationary_distribution().unwrap(), vec![0.0, 1.0]);
    assert_eq!(transient.minimize().unwrap().num_states(), 1);
    let split = Hmm::new(
        "split",
        vec!["0".into()],
        vec!["A".into(), "B".into()],
        [(0, 0, 0, 1.0), (1, 0, 1, 1.0)],
    )
    .unwrap();
    assert!(split
        .stationary_distribution()
        .unwrap_err()
        .to_string()
        .contains("not ergodic"));
}

#[test]
fn dot_labels_edges_with_symbol_and_probability() {
    let dot = named("golden-mean", &[("p", "0.25")]).unwrap().to_dot();
    assert!(dot.contains("\"A\" -> \"B\" [label=\"0|0.75\"]"), "{dot}");
    assert!(dot.starts_with("digraph"));
}

#[test]
fn every_named_process_builds_and_validates_its_parameters() {
    for p in PROCESSES.iter().filter(|p| p.has_presentation()) {
        let h = named(p.name, &[]).unwrap_or_else(|e| panic!("{}: {e}", p.name));
        h.stationary_distribution().unwrap();
    }
    // Mess3 defaults are those of Shai et al. 2024: entries 0.765, 0.00375, 0.0425, 0.0675.
    let m = named("mess3", &[]).unwrap().matrices();
    for (got, want) in [
        (m[0][0][0], 0.765),
        (m[0][0][1], 0.00375),
        (m[0][1][0], 0.0425),
        (m[0][1][1], 0.0675),
    ] {
        assert!((got - want).abs() < 1e-15, "{got} vs {want}");
    }
    assert!(matches!(
        named("nope", &[]),
        Err(CmechError::UnknownProcess { .. })
    ));
    let e = named("even", &[("p", "1.5")]).unwrap_err().to_string();
    assert!(e.contains("outside [0, 1]"), "{e}");
    let e = named("even", &[("q", "0.5")]).unwrap_err().to_string();
    assert!(e.contains("unknown parameter 'q'"), "{e}");
    assert!(
        named("golden_mean", &[]).is_ok(),
        "underscores are accepted for dashes"
    );
}

#[test]
fn sampling_is_reproducible_and_respects_the_grammar() {
    let gm = named("golden-mean", &[]).unwrap();
    let a = gm.sample(50_000, 7).unwrap();
    assert_eq!(a, gm.sample(50_000, 7).unwrap());
    assert_ne!(a, gm.sample(50_000, 8).unwrap());
    assert!(a.windows(2).all(|w| w != [0, 0]), "golden mean forbids 00");
    let ones = a.iter().filter(|&&s| s == 1).count() as f64 / a.len() as f64;
    assert!((ones - 2.0 / 3.0).abs() < 0.01, "{ones}");
}

#[test]
fn isomorphism_survives_a_json_round_trip_and_detects_differences() {
    for p in PROCESSES.iter().filter(|p| p.has_presentation()) {
        let h = named(p.name, &[]).unwrap();
        let back = Hmm::from_json(&h.to_json()).unwrap();
        assert!(h.is_isomorphic(&back, 1e-14), "{}", p.name);
    }
    let a = named("golden-mean", &[("p", "0.5")]).unwrap();
    let b = named("golden-mean", &[("p", "0.5000001")]).unwrap();
    assert!(a.is_isomorphic(&b, 1e-6) && !a.is_isomorphic(&b, 1e-9));
    assert!(!a.is_isomorphic(&named("even", &[]).unwrap(), 1e-9));
}

/// Pr(word) under the stationary distribution: pi T^(w_0) ... T^(w_{n-1}) 1.
fn word_probability(h: &Hmm, word: &str) -> f64 {
    let m = h.matrices();
    let mut v = h.stationary_distribution().unwrap();
    for c in word.chars() {
        let x = h.symbol_index(&c.to_string()).unwrap();
        v = (0..v.len())
            .map(|j| (0..v.len()).map(|i| v[i] * m[x][i][j]).sum())
            .collect();
    }
    v.iter().sum()
}

/// Nemo in the symbols of cmpy: A -1|p-> A, A -0|1-p-> B, B -0|1-> C, C -1|q-> A, C -0|1-q-> A.
/// A 1 always leads to A, and A's 0 leads to B, which must emit 0: 101 never occurs, while the
/// mirror-image word 010 (the one the old, swapped convention forbade) does.
#[test]
fn nemo_uses_the_symbols_of_cmpy() {
    let nemo = named("nemo", &[("p", "0.3"), ("q", "0.6")]).unwrap();
    let a = nemo.state_index("A").unwrap();
    let one = nemo.symbol_index("1").unwrap();
    assert_eq!(nemo.successor(a, one), Some(a));
    assert!((nemo.emission(a, one) - 0.3).abs() < 1e-15);
    let c = nemo.state_index("C").unwrap();
    assert!((nemo.emission(c, one) - 0.6).abs() < 1e-15);
    // pi = (1, 1-p, 1-p) / (3 - 2p); Pr(1) = pi_A p + pi_C q.
    let (p, q) = (0.3, 0.6);
    let z = 3.0 - 2.0 * p;
    let want_one = (p + (1.0 - p) * q) / z;
    assert!((word_probability(&nemo, "1") - want_one).abs() < 1e-14);
    assert_eq!(word_probability(&nemo, "101"), 0.0);
    assert!(word_probability(&nemo, "010") > 0.01);
    let sample = nemo.sample(20_000, 3).unwrap();
    assert!(
        !sample.windows(3).any(|w| w == [1, 0, 1]),
        "Nemo never emits 101"
    );
    assert!(sample.windows(3).any(|w| w == [0, 1, 0]));
}

/// The symbolic logistic map is in the catalogue with its parameters, r and the symbolisation
/// (cut), but has no presentation: `named` says so, `named_source` gives the source.
#[test]
fn the_logistic_map_is_a_named_source_without_a_presentation() {
    let entry = PROCESSES.iter().find(|p| p.name == "logistic-map").unwrap();
    assert!(!entry.has_presentation());
    assert!(entry.reference.contains("Crutchfield & Young"));
    let params: Vec<(&str, &str)> = entry.params.iter().map(|s| (s.name, s.default)).collect();
    assert_eq!(params, [("r", "4"), ("cut", "0.5")]);
    assert_eq!(
        PROCESSES.iter().filter(|p| !p.has_presentation()).count(),
        1
    );
    let e = named("logistic-map", &[]).unwrap_err();
    assert!(matches!(e, CmechError::Unsupported(_)), "{e}");
    assert!(e.to_string().contains("cmech sample logistic-map"), "{e}");
    let Ok(NamedSource::LogisticMap(map)) = named_source("logistic_map", &[("r", "3.83")]) else {
        panic!("the logistic map is a source")
    };
    assert_eq!(map, Logistic { r: 3.83, cut: 0.5 });
    let a: Vec<u8> = map.symbols(4).unwrap().take(1000).collect();
    assert_eq!(a, logistic_symbols(3.83, 1000, 4).unwrap());
    // The period-3 orbit of r = 3.83 lies near 0.156, 0.505 and 0.957: a cut at 0.3 still gives
    // two 1s per period, one at 0.6 only one.
    for (cut, ones) in [("0.3", 2), ("0.6", 1)] {
        let Ok(NamedSource::LogisticMap(m)) =
            named_source("logistic-map", &[("r", "3.83"), ("cut", cut)])
        else {
            panic!()
        };
        let s: Vec<u8> = m.symbols(4).unwrap().take(300).collect();
        assert!(s.chunks(3).all(|c| c == &s[..3]), "cut {cut}: {s:?}");
        assert_eq!(
            s[..3].iter().filter(|&&x| x == 1).count(),
            ones,
            "cut {cut}"
        );
    }
    for bad in [
        ("r", "0"),
        ("r", "4.5"),
        ("cut", "1"),
        ("cut", "x"),
        ("s", "1"),
    ] {
        let e = named_source("logistic-map", &[bad]).unwrap_err();
        assert!(
            matches!(e, CmechError::InvalidParameter { .. }),
            "{bad:?}: {e}"
        );
    }
    let Ok(NamedSource::Presentation(gm)) = named_source("golden-mean", &[]) else {
        panic!("the golden mean has a presentation")
    };
    assert!(gm.is_isomorphic(&named("golden-mean", &[]).unwrap(), 0.0));
}

#[test]
fn near_deterministic_processes_get_measures_that_hold_no_absurdity() {
    use cmech_core::measures::{measures, MeasureOptions, Status};
    // A stationary probability within 1e-12 of 1 indexed past the end of a vector (a panic in
    // the CLI, a PanicException in Python); a probability of 1e-15 gave E = 1.045 "exact" above
    // C_mu = 1 and T = 1.9e15 "exact". Now: no panic, E <= C_mu, and what cannot be certified is
    // approached.
    let cases = [
        cmech_core::named::even(0.999999999999).unwrap(),
        cmech_core::named::named("nemo", &[("p", "0.9999999999999")]).unwrap(),
        cmech_core::named::even(1e-15).unwrap(),
    ];
    for hmm in &cases {
        let m = measures(hmm, &MeasureOptions::default()).unwrap();
        let (e, c) = (
            m.excess_entropy.value.unwrap(),
            m.statistical_complexity.value.unwrap(),
        );
        assert!(e <= c + 1e-9, "{}: E {e} > C_mu {c}", hmm.name());
        for q in [&m.transient_information, &m.synchronization_information] {
            if q.status == Status::Exact {
                assert!(q.value.unwrap() < 1e6, "{}: {q:?}", hmm.name());
            }
        }
    }
}

#[test]
fn a_byte_order_mark_before_json_is_ignored() {
    let even = cmech_core::named::even(0.5).unwrap();
    let text = format!("\u{feff}{}", even.to_json());
    assert_eq!(Hmm::from_json(&text).unwrap().to_json(), even.to_json());
}
