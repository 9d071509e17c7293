//! Transducer reconstruction from paired streams: the transducers theory says must come back,
//! and agreement with the output-only CSSR when the output ignores the input.

use cmech_core::counts::CountTable;
use cmech_core::named;
use cmech_core::presentation::Hmm;
use cmech_core::reconstruct::{
    exercised_part, reconstruct, reconstruct_transducer, ReconstructOptions, Test,
};
use cmech_core::transducer::{named_transducer, Transducer, TransducerEdge, TRANSDUCERS};

fn bits() -> Vec<String> {
    vec!["0".into(), "1".into()]
}

/// A binary transducer from rows (state, input, output, next state, probability).
fn binary(name: &str, states: usize, rows: &[(usize, usize, usize, usize, f64)]) -> Transducer {
    let mut edges = vec![Vec::new(); states];
    for &(s, input, output, to, p) in rows {
        edges[s].push(TransducerEdge {
            input,
            output,
            to,
            p,
        });
    }
    Transducer::new(
        name.into(),
        bits(),
        bits(),
        (0..states).map(|s| format!("T{s}")).collect(),
        edges,
    )
    .unwrap()
}

/// The transducers of the issue: identity, a binary symmetric channel, the unit delay, the XOR
/// of the last two inputs, and an output fed back: Y_t = X_t xor Y_{t-1}, flipped with
/// probability 0.2 (its state is the last output).
fn truths() -> Vec<Transducer> {
    let q = 0.1;
    vec![
        binary("identity", 1, &[(0, 0, 0, 0, 1.0), (0, 1, 1, 0, 1.0)]),
        binary(
            "bsc",
            1,
            &[
                (0, 0, 0, 0, 1.0 - q),
                (0, 0, 1, 0, q),
                (0, 1, 1, 0, 1.0 - q),
                (0, 1, 0, 0, q),
            ],
        ),
        // State b: the last input was b.
        binary(
            "delay",
            2,
            &[
                (0, 0, 0, 0, 1.0),
                (0, 1, 0, 1, 1.0),
                (1, 0, 1, 0, 1.0),
                (1, 1, 1, 1, 1.0),
            ],
        ),
        binary(
            "xor",
            2,
            &[
                (0, 0, 0, 0, 1.0),
                (0, 1, 1, 1, 1.0),
                (1, 0, 1, 0, 1.0),
                (1, 1, 0, 1, 1.0),
            ],
        ),
        // State c: the last output was c.
        binary(
            "feedback",
            2,
            &(0..2)
                .flat_map(|c| {
                    (0..2).flat_map(move |x| {
                        let y = x ^ c;
                        [(c, x, y, y, 0.8), (c, x, 1 - y, 1 - y, 0.2)]
                    })
                })
                .collect::<Vec<_>>(),
        ),
    ]
}

fn joint_table(x: &[usize], y: &[usize], ny: usize, window: usize, k: usize) -> CountTable {
    let mut t = CountTable::new(k * ny, window).unwrap();
    let joint: Vec<u32> = x
        .iter()
        .zip(y)
        .map(|(&x, &y)| (x * ny + y) as u32)
        .collect();
    t.add_sequence(&joint).unwrap();
    t
}

fn options(l: usize) -> ReconstructOptions {
    ReconstructOptions {
        max_history: l,
        ..Default::default()
    }
}

#[test]
fn named_transducers_come_back_under_a_fair_coin_and_the_golden_mean() {
    let inputs = [
        named("biased-coin", &[]).unwrap(),
        named("golden-mean", &[]).unwrap(),
    ];
    for truth in truths() {
        for (i, input) in inputs.iter().enumerate() {
            let (x, y) = truth.drive(input, 1_000_000, 11 + i as u64).unwrap();
            for l in [2, 3] {
                let table = joint_table(&x, &y, 2, l + 1, 2);
                let r = reconstruct_transducer(&table, bits(), bits(), &options(l)).unwrap();
                let expected = exercised_part(&truth, input).unwrap();
                assert!(
                    r.transducer.is_isomorphic(&expected, 0.01),
                    "{} under {} at L = {l}:\n{}\nexpected\n{}",
                    truth.name(),
                    input.name(),
                    r.transducer.to_json(),
                    expected.to_json()
                );
            }
        }
    }
}

/// Every transducer of the library, from 10^6 steps under a fair coin and under the golden mean.
#[test]
fn every_named_transducer_comes_back() {
    let inputs = [
        named("biased-coin", &[]).unwrap(),
        named("golden-mean", &[]).unwrap(),
    ];
    for entry in TRANSDUCERS {
        let truth = named_transducer(entry.name, &[]).unwrap();
        for (i, input) in inputs.iter().enumerate() {
            let (x, y) = truth.drive(input, 1_000_000, 31 + i as u64).unwrap();
            let ny = truth.outputs().len();
            let l = 3;
            let table = joint_table(&x, &y, ny, l + 1, truth.inputs().len());
            let r = reconstruct_transducer(
                &table,
                truth.inputs().to_vec(),
                truth.outputs().to_vec(),
                &options(l),
            )
            .unwrap();
            let expected = exercised_part(&truth, input).unwrap();
            assert!(
                r.transducer.is_isomorphic(&expected, 0.01),
                "{} under {}:\n{}\nexpected\n{}",
                entry.name,
                input.name(),
                r.transducer.to_json(),
                expected.to_json()
            );
        }
    }
}

#[test]
fn measures_under_the_driving_input_are_those_of_the_truth() {
    // Under a fair coin: the delay remembers one fair bit and is deterministic; the channel
    // remembers nothing and has h(Y|X) = H(0.1).
    let coin = named("biased-coin", &[]).unwrap();
    let h = |p: f64| -p * p.log2() - (1.0 - p) * (1.0 - p).log2();
    for (name, c_mu, h_cond) in [("delay", 1.0, 0.0), ("bsc", 0.0, h(0.1))] {
        let truth = truths().into_iter().find(|t| t.name() == name).unwrap();
        let (x, y) = truth.drive(&coin, 1_000_000, 3).unwrap();
        let table = joint_table(&x, &y, 2, 4, 2);
        let d = reconstruct_transducer(&table, bits(), bits(), &options(3))
            .unwrap()
            .diagnostics;
        assert!((d.c_mu - c_mu).abs() < 0.01, "{name}: C_mu {}", d.c_mu);
        assert!((d.h_mu - h_cond).abs() < 0.005, "{name}: h(Y|X) {}", d.h_mu);
        assert_eq!(d.recurrent_states, truth.num_states());
    }
}

#[test]
fn an_ignored_input_gives_the_output_only_machine() {
    // Outputs from the golden mean or the even process, inputs a fair coin never read.
    for process in ["golden-mean", "even"] {
        let output = named(process, &[]).unwrap();
        let y = output.sample(1_000_000, 21).unwrap();
        let x = named("biased-coin", &[])
            .unwrap()
            .sample(1_000_000, 22)
            .unwrap();
        for l in [3, 4] {
            for test in [Test::ChiSquare, Test::KolmogorovSmirnov] {
                let opts = ReconstructOptions { test, ..options(l) };
                let joint = joint_table(&x, &y, 2, l + 1, 2);
                let t = reconstruct_transducer(&joint, bits(), bits(), &opts).unwrap();
                let mut alone = CountTable::new(2, l + 1).unwrap();
                let ys: Vec<u32> = y.iter().map(|&s| s as u32).collect();
                alone.add_sequence(&ys).unwrap();
                let m = reconstruct(&alone, bits(), &opts).unwrap().machine;
                assert_eq!(
                    t.transducer.num_states(),
                    m.num_states(),
                    "{process} L = {l}"
                );
                // Every input leads where the machine's output does, with its probability.
                let as_machine = ignoring_input(&m);
                assert!(
                    t.transducer.is_isomorphic(&as_machine, 0.01),
                    "{process} L = {l} {test:?}:\n{}\nvs\n{}",
                    t.transducer.to_json(),
                    m.to_json()
                );
            }
        }
    }
}

/// The transducer that reads any binary input and emits as `machine` does.
fn ignoring_input(machine: &Hmm) -> Transducer {
    let edges = (0..machine.num_states())
        .map(|s| {
            (0..2)
                .flat_map(|input| {
                    machine.edges(s).iter().map(move |e| TransducerEdge {
                        input,
                        output: e.symbol,
                        to: e.to,
                        p: e.p,
                    })
                })
                .collect()
        })
        .collect();
    Transducer::new(
        "ignoring".into(),
        bits(),
        machine.alphabet().to_vec(),
        machine.states().to_vec(),
        edges,
    )
    .unwrap()
}

#[test]
fn tables_that_do_not_match_the_alphabets_are_refused() {
    let table = CountTable::new(3, 3).unwrap();
    let e = reconstruct_transducer(&table, bits(), bits(), &options(2)).unwrap_err();
    assert!(
        e.to_string()
            .contains("2 inputs and 2 outputs make 4 joint symbols"),
        "{e}"
    );
    let e = exercised_part(&truths()[0], &named("mess3", &[]).unwrap()).unwrap_err();
    assert!(e.to_string().contains("the input process emits"), "{e}");
}
