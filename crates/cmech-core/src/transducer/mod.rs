//! Transducers: presentations of input-output processes, the epsilon-transducers of Barnett &
//! Crutchfield, "Computational Mechanics of Input-Output Processes" (J. Stat. Phys. 161, 404, 2015).
//!
//! A transducer is given by labelled transition matrices
//! `T^(y|x)[i][j] = Pr(emit y, go to j | in i, reading x)`, stored sparsely as the outgoing edges of
//! each state. For every state and every input it defines, the probabilities sum to one. A state may
//! leave an input undefined (no edges for it): a transducer reconstructed from data only knows the
//! inputs that occurred in each state, and driving it with an undefined input is an error naming the
//! state and the input. The JSON document format is described in `docs/transducer-format.md`.

mod drive;
mod measures;
pub mod named;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{CmechError, Result};
use crate::minimize::{first_members, relabel, PROBABILITY_RESOLUTION};
use crate::presentation::{check_names, dot_graph, format_prob, Edge, Hmm, ProbDoc, ROW_TOLERANCE};

pub use drive::{Driver, JointProcess};
pub use measures::TransducerMeasures;
pub use named::{named_transducer, TRANSDUCERS};

/// One labelled transition: from its state, reading `input`, emit `output` and go to `to` with
/// probability `p`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransducerEdge {
    /// Index of the input symbol read.
    pub input: usize,
    /// Index of the output symbol emitted.
    pub output: usize,
    /// Index of the state gone to.
    pub to: usize,
    /// Pr(emit `output`, go to `to` | in the edge's state, reading `input`), in (0, 1].
    pub p: f64,
}

/// A transducer over named input and output symbols with named states.
#[derive(Debug, Clone, PartialEq)]
pub struct Transducer {
    name: String,
    inputs: Vec<String>,
    outputs: Vec<String>,
    states: Vec<String>,
    /// Outgoing edges of each state, sorted by (input, output, to), all with p > 0.
    edges: Vec<Vec<TransducerEdge>>,
}

/// (input, output, target block, quantised probability) of a state's edges, sorted.
type BlockSignature = Vec<(usize, usize, usize, i64)>;

pub(crate) fn invalid(msg: impl Into<String>) -> CmechError {
    CmechError::InvalidTransducer(msg.into())
}

impl Transducer {
    /// Builds and validates a transducer; `edges[i]` are the transitions out of state `i`, with
    /// p = Pr(emit output, go to `to` | in this state, reading `input`).
    ///
    /// Zero-probability edges are dropped; everything else must be a finite probability in [0, 1],
    /// each (input, output, to) at most once per state, every state must define at least one input,
    /// and the edges of each defined input must sum to 1 within [`ROW_TOLERANCE`] (they are then
    /// renormalised exactly).
    pub fn new(
        name: String,
        inputs: Vec<String>,
        outputs: Vec<String>,
        states: Vec<String>,
        edges: Vec<Vec<TransducerEdge>>,
    ) -> Result<Transducer> {
        let named = |r: Result<()>| r.map_err(|e| invalid(strip_kind(e)));
        named(check_names("inputs", "input", &inputs))?;
        named(check_names("outputs", "output", &outputs))?;
        named(check_names("states", "state", &states))?;
        if edges.len() != states.len() {
            return Err(invalid(format!(
                "{} rows of edges given for {} states",
                edges.len(),
                states.len()
            )));
        }
        let mut rows = Vec::with_capacity(edges.len());
        for (i, row) in edges.into_iter().enumerate() {
            let mut kept: Vec<TransducerEdge> = Vec::with_capacity(row.len());
            for e in row {
                if e.to >= states.len() {
                    return Err(invalid(format!(
                        "transition out of state {} goes to state index {} but there are {} states",
                        states[i],
                        e.to,
                        states.len()
                    )));
                }
                if e.input >= inputs.len() {
                    return Err(invalid(format!(
                        "transition out of state {} reads input index {} but there are {} inputs",
                        states[i],
                        e.input,
                        inputs.len()
                    )));
                }
                if e.output >= outputs.len() {
                    return Err(invalid(format!(
                        "transition out of state {} emits output index {} but there are {} outputs",
                        states[i],
                        e.output,
                        outputs.len()
                    )));
                }
                let what = || {
                    format!(
                        "{} -{}|{}-> {}",
                        states[i], outputs[e.output], inputs[e.input], states[e.to]
                    )
                };
                if e.p.is_nan() {
                    return Err(invalid(format!("probability of {} is NaN", what())));
                }
                if !(0.0..=1.0 + ROW_TOLERANCE).contains(&e.p) {
                    return Err(invalid(format!(
                        "probability of {} is {}, outside [0, 1]",
                        what(),
                        e.p
                    )));
                }
                if e.p == 0.0 {
                    continue;
                }
                if kept
                    .iter()
                    .any(|f| (f.input, f.output, f.to) == (e.input, e.output, e.to))
                {
                    return Err(invalid(format!("transition {} is given twice", what())));
                }
                kept.push(e);
            }
            if kept.is_empty() {
                return Err(invalid(format!(
                    "state {} has no outgoing transitions for any input",
                    states[i]
                )));
            }
            kept.sort_by_key(|e| (e.input, e.output, e.to));
            for (x, input) in inputs.iter().enumerate() {
                let sum: f64 = kept.iter().filter(|e| e.input == x).map(|e| e.p).sum();
                if sum == 0.0 {
                    continue;
                }
                if (sum - 1.0).abs() > ROW_TOLERANCE {
                    return Err(invalid(format!(
                        "transitions out of state {} reading input {} sum to {sum} (must be 1 \
                         within {ROW_TOLERANCE:e})",
                        states[i], input
                    )));
                }
                for e in kept.iter_mut().filter(|e| e.input == x) {
                    e.p /= sum;
                }
            }
            rows.push(kept);
        }
        Ok(Transducer {
            name,
            inputs,
            outputs,
            states,
            edges: rows,
        })
    }

    /// The transducer's name ("unnamed" when its document gave none).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The same transducer under another name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
    /// Input symbol names, in index order.
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }
    /// Output symbol names, in index order.
    pub fn outputs(&self) -> &[String] {
        &self.outputs
    }
    /// State names, in index order.
    pub fn states(&self) -> &[String] {
        &self.states
    }
    /// The number of states.
    pub fn num_states(&self) -> usize {
        self.states.len()
    }
    /// Outgoing edges of `state`, sorted by (input, output, to).
    pub fn edges(&self, state: usize) -> &[TransducerEdge] {
        &self.edges[state]
    }

    /// The edges of `state` reading `input` (empty when the state leaves that input undefined).
    pub fn edges_for(&self, state: usize, input: usize) -> &[TransducerEdge] {
        let row = &self.edges[state];
        let lo = row.partition_point(|e| e.input < input);
        let hi = row.partition_point(|e| e.input <= input);
        &row[lo..hi]
    }

    /// Whether every state defines every input.
    pub fn is_complete(&self) -> bool {
        (0..self.num_states())
            .all(|i| (0..self.inputs.len()).all(|x| !self.edges_for(i, x).is_empty()))
    }

    /// Unifilar: the state, the input and the output determine the next state.
    pub fn is_unifilar(&self) -> bool {
        self.edges.iter().all(|row| {
            row.windows(2)
                .all(|w| (w[0].input, w[0].output) != (w[1].input, w[1].output))
        })
    }

    /// The transducer as an HMM over joint symbols (input, output), one per `x * |outputs| + y`,
    /// whose rows sum to the number of inputs each state defines: not a process, but a labelled
    /// graph on which the presentation's structural machinery (isomorphism) applies as is.
    fn as_labelled_graph(&self) -> Hmm {
        let ny = self.outputs.len();
        let alphabet = self
            .inputs
            .iter()
            .flat_map(|x| {
                self.outputs
                    .iter()
                    .map(move |y| serde_json::to_string(&(x, y)).expect("names serialise"))
            })
            .collect();
        let edges = self
            .edges
            .iter()
            .map(|row| {
                row.iter()
                    .map(|e| Edge {
                        symbol: e.input * ny + e.output,
                        to: e.to,
                        p: e.p,
                    })
                    .collect()
            })
            .collect();
        Hmm::from_parts(self.name.clone(), alphabet, self.states.clone(), edges)
    }

    /// Same transducer up to a renaming of states: same input and output alphabets (by name) and a
    /// bijection of states carrying every edge to one with the same input, output and probability
    /// within `tol`.
    pub fn is_isomorphic(&self, other: &Transducer, tol: f64) -> bool {
        self.as_labelled_graph()
            .is_isomorphic(&other.as_labelled_graph(), tol)
    }

    /// Merges states whose future outputs have the same distribution given every future input
    /// (Moore's partition refinement on (input, output, probability, block of the target), as for
    /// presentations). Inputs a state leaves undefined are part of what it is, so a state that
    /// defines fewer inputs is never merged with one that defines more. Merged states keep the name
    /// and place of their first member, so state 0 stays first; no state is dropped, since which
    /// states are transient depends on the input. For a nonunifilar transducer the merge is sound
    /// (probabilistic bisimulation) but may not be minimal.
    pub fn minimize(&self) -> Transducer {
        let n = self.num_states();
        let quantise = |p: f64| (p / PROBABILITY_RESOLUTION).round() as i64;
        let mut block = vec![0usize; n];
        let mut count = 1;
        loop {
            let signatures: Vec<(usize, BlockSignature)> = (0..n)
                .map(|i| (block[i], self.block_signature(i, &block, &quantise)))
                .collect();
            let next = relabel(&signatures);
            let next_count = next.iter().max().map_or(0, |m| m + 1);
            block = next;
            if next_count == count {
                break;
            }
            count = next_count;
        }
        self.quotient(&block, count)
    }

    /// (input, output, target block, quantised probability into that block), summed over edges.
    fn block_signature(
        &self,
        i: usize,
        block: &[usize],
        quantise: &dyn Fn(f64) -> i64,
    ) -> BlockSignature {
        let mut into: Vec<((usize, usize, usize), f64)> = Vec::new();
        for e in &self.edges[i] {
            let key = (e.input, e.output, block[e.to]);
            match into.iter_mut().find(|(k, _)| *k == key) {
                Some((_, p)) => *p += e.p,
                None => into.push((key, e.p)),
            }
        }
        let mut sig: Vec<_> = into
            .into_iter()
            .map(|((x, y, b), p)| (x, y, b, quantise(p)))
            .collect();
        sig.sort();
        sig
    }

    /// The transducer on blocks of states, each keeping the name and edges of its first member,
    /// edges redirected to blocks and parallel edges summed. Valid when the members of a block have
    /// identical futures.
    fn quotient(&self, block: &[usize], count: usize) -> Transducer {
        let first = first_members(block, count);
        let edges = first
            .iter()
            .map(|&i| {
                let mut row: Vec<TransducerEdge> = Vec::new();
                for e in &self.edges[i] {
                    let to = block[e.to];
                    match row
                        .iter_mut()
                        .find(|f| (f.input, f.output, f.to) == (e.input, e.output, to))
                    {
                        Some(f) => f.p += e.p,
                        None => row.push(TransducerEdge { to, ..*e }),
                    }
                }
                row.sort_by_key(|e| (e.input, e.output, e.to));
                row
            })
            .collect();
        Transducer {
            name: self.name.clone(),
            inputs: self.inputs.clone(),
            outputs: self.outputs.clone(),
            states: first.iter().map(|&i| self.states[i].clone()).collect(),
            edges,
        }
    }

    /// Graphviz DOT text with edges labelled `y|x:p` (output, input, probability).
    pub fn to_dot(&self) -> String {
        let edges = self.edges.iter().enumerate().flat_map(|(i, row)| {
            row.iter().map(move |e| {
                let label = format!(
                    "{}|{}:{}",
                    self.outputs[e.output],
                    self.inputs[e.input],
                    format_prob(e.p)
                );
                (i, e.to, label)
            })
        });
        dot_graph(&self.name, &self.states, edges)
    }

    /// The transducer as a JSON document (see `docs/transducer-format.md`).
    pub fn to_document(&self) -> TransducerDoc {
        TransducerDoc {
            name: Some(self.name.clone()),
            inputs: self.inputs.clone(),
            outputs: self.outputs.clone(),
            states: self.states.clone(),
            transitions: self
                .edges
                .iter()
                .enumerate()
                .flat_map(|(i, row)| {
                    row.iter().map(move |e| TransducerTransitionDoc {
                        from: self.states[i].clone(),
                        input: self.inputs[e.input].clone(),
                        output: self.outputs[e.output].clone(),
                        to: self.states[e.to].clone(),
                        p: ProbDoc::Number(e.p),
                    })
                })
                .collect(),
        }
    }

    /// The transducer as pretty-printed JSON (see `docs/transducer-format.md`), which
    /// [`Transducer::from_json`] reads back.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_document()).expect("transducers serialise")
    }

    /// Parses and validates a transducer from JSON text.
    pub fn from_json(text: &str) -> Result<Transducer> {
        let doc: TransducerDoc = serde_json::from_str(crate::presentation::without_bom(text))
            .map_err(|e| invalid(format!("not a transducer JSON document: {e}")))?;
        doc.into_transducer()
    }
}

/// The message of a presentation error without its "invalid presentation: " prefix, for checks
/// shared with presentations.
fn strip_kind(e: CmechError) -> String {
    match e {
        CmechError::InvalidPresentation(m) => m,
        other => other.to_string(),
    }
}

/// The JSON document of a transducer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransducerDoc {
    /// The transducer's name ("unnamed" when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Input symbol names, in index order.
    pub inputs: Vec<String>,
    /// Output symbol names, in index order.
    pub outputs: Vec<String>,
    /// State names, in index order.
    pub states: Vec<String>,
    /// The labelled edges, each (from, input, output, to) at most once.
    pub transitions: Vec<TransducerTransitionDoc>,
}

/// One labelled edge of a transducer document, by names.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransducerTransitionDoc {
    /// The state left.
    pub from: String,
    /// The input symbol read.
    pub input: String,
    /// The output symbol emitted.
    pub output: String,
    /// The state entered.
    pub to: String,
    /// Pr(emit `output`, go to `to` | in `from`, reading `input`).
    pub p: ProbDoc,
}

impl TransducerDoc {
    /// Builds and validates the transducer the document describes, as [`Transducer::new`] does:
    /// an unknown state, input or output name is an error.
    pub fn into_transducer(self) -> Result<Transducer> {
        let index = |names: &[String]| -> HashMap<String, usize> {
            names
                .iter()
                .enumerate()
                .map(|(i, s)| (s.clone(), i))
                .collect()
        };
        let (states, inputs, outputs) = (
            index(&self.states),
            index(&self.inputs),
            index(&self.outputs),
        );
        let lookup = |map: &HashMap<String, usize>, what: &str, n: &str| {
            map.get(n)
                .copied()
                .ok_or_else(|| invalid(format!("unknown {what} '{n}'")))
        };
        let mut edges = vec![Vec::new(); self.states.len()];
        for t in &self.transitions {
            let from = lookup(&states, "state", &t.from)?;
            let e = TransducerEdge {
                input: lookup(&inputs, "input", &t.input)?,
                output: lookup(&outputs, "output", &t.output)?,
                to: lookup(&states, "state", &t.to)?,
                p: t.p
                    .value(&|| format!("{} -{}|{}-> {}", t.from, t.output, t.input, t.to))
                    .map_err(|e| invalid(strip_kind(e)))?,
            };
            edges[from].push(e);
        }
        Transducer::new(
            self.name.unwrap_or_else(|| "unnamed".into()),
            self.inputs,
            self.outputs,
            self.states,
            edges,
        )
    }
}
