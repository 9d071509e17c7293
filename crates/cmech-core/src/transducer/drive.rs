//! A transducer driven by an input process: the joint process of inputs and outputs as an HMM, and
//! seeded samples of it.

use std::collections::HashMap;

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{CmechError, Result};
use crate::memory;
use crate::presentation::{Edge, Hmm};
use crate::sample::{draw, uniform, Sampler, Start};
use crate::transducer::Transducer;

/// Cumulative probabilities with the (output, next state) they select.
type Answers = Vec<(f64, (usize, usize))>;

/// An endless iterator of the (input, output) steps of a driven transducer: [`Transducer::driver`].
pub struct Driver {
    sampler: Sampler,
    joint: JointProcess,
}

impl Iterator for Driver {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        self.sampler.next().map(|c| self.joint.decode(c))
    }
}

/// Seeds the draw of the input's start state apart from the joint sample, which uses the seed itself.
const START_STREAM: u64 = 0x9e37_79b9_7f4a_7c15;

/// The joint input-output process of a transducer driven by an input process.
///
/// `hmm` is an edge-emitting HMM on pairs (input state, transducer state), listed in `states`. Its
/// symbol `x * |outputs| + y` (named `(x,y)`) is "the input process emits transducer input `x` and
/// the transducer answers `y`", with probability Pr(x | input state) Pr(y, next | state, x).
#[derive(Debug, Clone)]
pub struct JointProcess {
    /// The joint process: an edge-emitting HMM whose symbols are the (input, output) pairs, coded
    /// as above.
    pub hmm: Hmm,
    /// (state of the input HMM, state of the transducer) of each joint state.
    pub states: Vec<(usize, usize)>,
    /// The transducer's outputs; their number is the radix of the joint symbol coding.
    pub outputs: Vec<String>,
}

impl JointProcess {
    /// The (input, output) pair of a joint symbol.
    pub fn decode(&self, symbol: usize) -> (usize, usize) {
        (symbol / self.outputs.len(), symbol % self.outputs.len())
    }

    /// The output process alone: the joint HMM with its symbols projected onto outputs. It is
    /// nonunifilar in general, since several inputs can lead to the same output.
    pub fn output_process(&self) -> Hmm {
        let h = &self.hmm;
        let edges = (0..h.num_states())
            .map(|i| {
                let mut row: Vec<Edge> = Vec::new();
                for e in h.edges(i) {
                    let y = e.symbol % self.outputs.len();
                    match row.iter_mut().find(|f| f.symbol == y && f.to == e.to) {
                        Some(f) => f.p += e.p,
                        None => row.push(Edge { symbol: y, ..*e }),
                    }
                }
                row
            })
            .collect();
        Hmm::from_parts(
            format!("output of {}", h.name()),
            self.outputs.clone(),
            h.states().to_vec(),
            edges,
        )
    }
}

impl Transducer {
    /// The joint process of `input` driving this transducer, over the pairs (input state,
    /// transducer state) reached from every recurrent state of the input with the transducer in
    /// state 0. The input's symbols are matched to the transducer's inputs by name.
    ///
    /// Fails when the input is not ergodic, emits a symbol that is not an input of the transducer, or
    /// drives a reached transducer state with an input it leaves undefined.
    pub fn joint_process(&self, input: &Hmm) -> Result<JointProcess> {
        let to_input: Vec<usize> = input
            .alphabet()
            .iter()
            .map(|s| {
                self.inputs().iter().position(|x| x == s).ok_or_else(|| {
                    CmechError::InvalidArgument(format!(
                        "the input process '{}' emits '{s}', which is not an input of transducer \
                         '{}' (inputs: {})",
                        input.name(),
                        self.name(),
                        self.inputs().join(", ")
                    ))
                })
            })
            .collect::<Result<_>>()?;
        let ny = self.outputs().len();
        let mut states: Vec<(usize, usize)> = Vec::new();
        let mut index: HashMap<(usize, usize), usize> = HashMap::new();
        for a in input.recurrent_class()? {
            index.insert((a, 0), states.len());
            states.push((a, 0));
        }
        let mut edges: Vec<Vec<Edge>> = Vec::new();
        while edges.len() < states.len() {
            let (a, s) = states[edges.len()];
            let mut row = Vec::new();
            for e in input.edges(a) {
                let x = to_input[e.symbol];
                let answers = self.edges_for(s, x);
                if answers.is_empty() {
                    return Err(CmechError::Unsupported(format!(
                        "transducer '{}' has no transitions for input '{}' in state '{}', which \
                         the input process '{}' reaches",
                        self.name(),
                        self.inputs()[x],
                        self.states()[s],
                        input.name()
                    )));
                }
                for f in answers {
                    let pair = (e.to, f.to);
                    let to = *index.entry(pair).or_insert_with(|| {
                        states.push(pair);
                        states.len() - 1
                    });
                    row.push(Edge {
                        symbol: x * ny + f.output,
                        to,
                        p: e.p * f.p,
                    });
                }
            }
            edges.push(row);
        }
        let alphabet = self
            .inputs()
            .iter()
            .flat_map(|x| self.outputs().iter().map(move |y| format!("({x},{y})")))
            .collect();
        let names = states
            .iter()
            .map(|&(a, s)| format!("({},{})", input.states()[a], self.states()[s]))
            .collect();
        Ok(JointProcess {
            hmm: Hmm::from_parts(
                format!("{} driven by {}", self.name(), input.name()),
                alphabet,
                names,
                edges,
            ),
            states,
            outputs: self.outputs().to_vec(),
        })
    }

    /// The steps of the transducer driven by `input`, endlessly, as (input, output) pairs:
    /// indices into [`Transducer::inputs`] and [`Transducer::outputs`], reproducible from `seed`.
    /// A caller streams them to a writer without holding them.
    ///
    /// The joint start is drawn from the stationary distribution of the joint process, so the
    /// sample is a stationary realisation, when the joint process has one recurrent class. When it
    /// has several (the state distribution under this input is not unique, as for a periodic input
    /// into a periodic transducer), the input starts from its stationary distribution and the
    /// transducer from state 0.
    pub fn driver(&self, input: &Hmm, seed: u64) -> Result<Driver> {
        let joint = self.joint_process(input)?;
        let start =
            if joint.hmm.recurrent_classes().len() == 1 {
                Start::Stationary
            } else {
                let a = Sampler::new(input, seed ^ START_STREAM, Start::Stationary)?.state();
                Start::State(
                    joint.states.iter().position(|&p| p == (a, 0)).expect(
                        "every recurrent input state starts with the transducer in state 0",
                    ),
                )
            };
        Ok(Driver {
            sampler: Sampler::new(&joint.hmm, seed, start)?,
            joint,
        })
    }

    /// `n` steps of [`Transducer::driver`], as (inputs, outputs). More steps than can be held are
    /// [`CmechError::TooLarge`].
    pub fn drive(&self, input: &Hmm, n: usize, seed: u64) -> Result<(Vec<usize>, Vec<usize>)> {
        let driver = self.driver(input, seed)?;
        let what = format!("{n} steps of '{}'", self.name());
        let mut xs = memory::with_capacity(n, &what)?;
        let mut ys = memory::with_capacity(n, &what)?;
        for (x, y) in driver.take(n) {
            xs.push(x);
            ys.push(y);
        }
        Ok((xs, ys))
    }

    /// The outputs (indices into [`Transducer::outputs`]) answering a given input sequence (indices
    /// into [`Transducer::inputs`]), from state 0, reproducible from `seed`. There is no input
    /// process to take a stationary start from, so the transducer starts in state 0.
    pub fn drive_sequence(&self, inputs: &[usize], seed: u64) -> Result<Vec<usize>> {
        let ni = self.inputs().len();
        let table: Vec<Vec<Answers>> = (0..self.num_states())
            .map(|s| {
                (0..ni)
                    .map(|x| {
                        let mut acc = 0.0;
                        self.edges_for(s, x)
                            .iter()
                            .map(|e| {
                                acc += e.p;
                                (acc, (e.output, e.to))
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut state = 0;
        inputs
            .iter()
            .enumerate()
            .map(|(t, &x)| {
                if x >= ni {
                    return Err(CmechError::InvalidArgument(format!(
                        "input {x} at position {t} is out of range: transducer '{}' has {ni} inputs",
                        self.name()
                    )));
                }
                let row = &table[state][x];
                if row.is_empty() {
                    return Err(CmechError::Unsupported(format!(
                        "transducer '{}' has no transitions for input '{}' in state '{}' (input \
                         position {t})",
                        self.name(),
                        self.inputs()[x],
                        self.states()[state]
                    )));
                }
                let (y, to) = draw(uniform(&mut rng), row);
                state = to;
                Ok(y)
            })
            .collect()
    }
}
