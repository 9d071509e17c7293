//! The library of named transducers, each with its parameters and their defaults. All read and
//! write the binary alphabet {0, 1}. "Barnett & Crutchfield (2015)" is "Computational Mechanics of
//! Input-Output Processes: Structured transformations and the epsilon-transducer", J. Stat. Phys.
//! 161, 404 (arXiv:1412.2690); its Sec. IV sorts channels into memoryless (A), finite (B) and
//! infinite (C) feedforward, finite (D) and infinite (E) feedback, and mixtures of the two.

use crate::error::{CmechError, Result};
use crate::named::{params_over_defaults, ParamSpec, Params};
use crate::transducer::{Transducer, TransducerEdge};

/// A named transducer: how to build it from parameters.
pub struct NamedTransducer {
    /// The name users give (`identity`); `_` may stand for `-`.
    pub name: &'static str,
    /// One line: what the transducer does (`Y_t = X_t`).
    pub summary: &'static str,
    /// Where the definition comes from.
    pub reference: &'static str,
    /// The parameters, with their defaults.
    pub params: &'static [ParamSpec],
    build: fn(&Params) -> Result<Transducer>,
}

/// One transition written out: (from, input, output, to, p).
type Written<'a> = (&'a str, usize, usize, &'a str, f64);

fn build(name: &str, states: &[&str], ts: &[Written]) -> Result<Transducer> {
    let idx = |s: &str| states.iter().position(|t| *t == s).expect("known state");
    let mut edges = vec![Vec::new(); states.len()];
    for &(from, input, output, to, p) in ts {
        edges[idx(from)].push(TransducerEdge {
            input,
            output,
            to: idx(to),
            p,
        });
    }
    let bits = || vec!["0".to_string(), "1".to_string()];
    Transducer::new(
        name.to_string(),
        bits(),
        bits(),
        states.iter().map(|s| s.to_string()).collect(),
        edges,
    )
}

/// A transducer whose one state is the last input, `L0` or `L1`, with output `f(last, x)`.
fn last_input(name: &str, f: fn(usize, usize) -> usize) -> Result<Transducer> {
    let states = ["L0", "L1"];
    let ts: Vec<Written> = (0..2)
        .flat_map(|k| (0..2).map(move |x| (states[k], x, f(k, x), states[x], 1.0)))
        .collect();
    build(name, &states, &ts)
}

/// Every named transducer: the library that [`named_transducer`] builds from.
pub static TRANSDUCERS: &[NamedTransducer] = &[
    NamedTransducer {
        name: "identity",
        summary: "Y_t = X_t",
        reference: "the identity channel; Barnett & Crutchfield (2015), Sec. IV A (memoryless channels)",
        params: &[],
        build: |_| build("identity", &["A"], &[("A", 0, 0, "A", 1.0), ("A", 1, 1, "A", 1.0)]),
    },
    NamedTransducer {
        name: "bsc",
        summary: "binary symmetric channel: Y_t = X_t, flipped with probability q",
        reference: "Cover & Thomas, Elements of Information Theory, 7.1.4; Barnett & Crutchfield (2015), Sec. IV A",
        params: &[ParamSpec { name: "q", default: "0.1", help: "probability of a flip" }],
        build: |ps| {
            let q = ps.probability("q")?;
            build(
                "bsc",
                &["A"],
                &[
                    ("A", 0, 0, "A", 1.0 - q),
                    ("A", 0, 1, "A", q),
                    ("A", 1, 1, "A", 1.0 - q),
                    ("A", 1, 0, "A", q),
                ],
            )
        },
    },
    NamedTransducer {
        name: "z-channel",
        summary: "Z channel: a 0 passes unchanged, a 1 becomes 0 with probability p",
        reference: "Barnett & Crutchfield (2015), Sec. IV A; p = 1/2 as in transCSSR's \
                    simulation-codes-paper/simulate_z-channel.py",
        params: &[ParamSpec { name: "p", default: "0.5", help: "probability that an input 1 is emitted as 0" }],
        build: |ps| {
            let p = ps.probability("p")?;
            build(
                "z-channel",
                &["A"],
                &[("A", 0, 0, "A", 1.0), ("A", 1, 1, "A", 1.0 - p), ("A", 1, 0, "A", p)],
            )
        },
    },
    NamedTransducer {
        name: "all-is-fair",
        summary: "a fair coin whatever the input",
        reference: "All Is Fair channel, Barnett & Crutchfield (2015), Sec. IV A",
        params: &[],
        build: |_| {
            build(
                "all-is-fair",
                &["A"],
                &[("A", 0, 0, "A", 0.5), ("A", 0, 1, "A", 0.5), ("A", 1, 0, "A", 0.5), ("A", 1, 1, "A", 0.5)],
            )
        },
    },
    NamedTransducer {
        name: "delay",
        summary: "unit delay: Y_t = X_{t-1}; states L0, L1 hold the last input",
        reference: "delay channel, Barnett & Crutchfield (2015), Sec. IV B (finite feedforward)",
        params: &[],
        build: |_| last_input("delay", |last, _| last),
    },
    NamedTransducer {
        name: "xor",
        summary: "XOR of the last two inputs: Y_t = X_t xor X_{t-1}; states L0, L1 hold the last input",
        reference: "finite feedforward, as Barnett & Crutchfield (2015), Sec. IV B",
        params: &[],
        build: |_| last_input("xor", |last, x| last ^ x),
    },
    NamedTransducer {
        name: "feedforward-nor",
        summary: "Y_t = NOR(X_{t-1}, X_t): 1 exactly when the last two inputs are 0; states L0, L1 hold the last input",
        reference: "feedforward NOR channel, Barnett & Crutchfield (2015), Sec. IV B (finite feedforward)",
        params: &[],
        build: |_| last_input("feedforward-nor", |last, x| usize::from(last == 0 && x == 0)),
    },
    NamedTransducer {
        name: "feedback-xor",
        summary: "Y_t = X_t xor Y_{t-1}, flipped with probability e: the output depends on the previous \
                  output; states Y0, Y1 hold the last output",
        reference: "a finite-feedback channel in the sense of Barnett & Crutchfield (2015), Sec. IV D",
        params: &[ParamSpec { name: "e", default: "0.1", help: "probability that the output is flipped" }],
        build: |ps| {
            let e = ps.probability("e")?;
            let states = ["Y0", "Y1"];
            let ts: Vec<Written> = (0..2)
                .flat_map(|k| {
                    (0..2).flat_map(move |x| {
                        let y = x ^ k;
                        [(states[k], x, y, states[y], 1.0 - e), (states[k], x, 1 - y, states[1 - y], e)]
                    })
                })
                .collect();
            build("feedback-xor", &states, &ts)
        },
    },
    NamedTransducer {
        name: "odd-random",
        summary: "identity while an even number of 1s has been read since the last 0 (state E), a fair coin \
                  while the count is odd (state O)",
        reference: "infinite feedforward in the sense of Barnett & Crutchfield (2015), Sec. IV C; as \
                    simulated by transCSSR's simulation-codes-paper/simulate_odd-random-channel.py",
        params: &[],
        build: |_| {
            build(
                "odd-random",
                &["E", "O"],
                &[
                    ("E", 0, 0, "E", 1.0),
                    ("E", 1, 1, "O", 1.0),
                    ("O", 0, 0, "E", 0.5),
                    ("O", 0, 1, "E", 0.5),
                    ("O", 1, 0, "E", 0.5),
                    ("O", 1, 1, "E", 0.5),
                ],
            )
        },
    },
    NamedTransducer {
        name: "identity-not",
        summary: "period-2 identity-NOT: copies the input at even times (state I) and negates it at odd times (state N)",
        reference: "period-2 identity NOT channel, Barnett & Crutchfield (2015), Sec. IV",
        params: &[],
        build: |_| {
            build(
                "identity-not",
                &["I", "N"],
                &[("I", 0, 0, "N", 1.0), ("I", 1, 1, "N", 1.0), ("N", 0, 1, "I", 1.0), ("N", 1, 0, "I", 1.0)],
            )
        },
    },
    NamedTransducer {
        name: "golden-mean-output",
        summary: "ignores its input and emits the golden-mean process: A -1|p-> A, A -0|1-p-> B, B -1|1-> A \
                  for either input",
        reference: "input ignored: its epsilon-transducer is the epsilon-machine of its output \
                    (Crutchfield & Feldman, Chaos 13, 25 (2003) for the golden mean)",
        params: &[ParamSpec { name: "p", default: "0.5", help: "probability of emitting 1 from A" }],
        build: |ps| {
            let p = ps.probability("p")?;
            let ts: Vec<Written> = (0..2)
                .flat_map(|x| [("A", x, 1, "A", p), ("A", x, 0, "B", 1.0 - p), ("B", x, 1, "A", 1.0)])
                .collect();
            build("golden-mean-output", &["A", "B"], &ts)
        },
    },
];

/// The named transducer, built with `params` over its defaults.
pub fn named_transducer(name: &str, params: &[(&str, &str)]) -> Result<Transducer> {
    let spec = TRANSDUCERS
        .iter()
        .find(|t| t.name == name || t.name.replace('-', "_") == name.replace('-', "_"))
        .ok_or_else(|| {
            CmechError::InvalidArgument(format!(
                "unknown transducer '{name}' (known: {})",
                TRANSDUCERS
                    .iter()
                    .map(|t| t.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    (spec.build)(&params_over_defaults(spec.name, spec.params, params)?)
}
