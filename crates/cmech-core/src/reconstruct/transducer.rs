//! Reconstruction of the epsilon-transducer of an input-output process, in the manner of
//! transCSSR (Darmon): CSSR run on joint histories of (input, output) pairs, with states told
//! apart by the distribution of the next output given the next input.
//!
//! It is the CSSR of [`super`] itself, not a copy: the joint symbol (x, y) is coded
//! `x * |Y| + y`, so a history's next-symbol count vector is made of one block per input, and the
//! homogeneity tests compare the blocks' conditional distributions only
//! ([`super::homogeneity`]); determinisation follows joint symbols. Which inputs occur, and how
//! often, is the input process's business: it never splits a state.
use super::{fit_with_history, Diagnostics, Fit, Method, ReconstructOptions};
use crate::counts::CountTable;
use crate::entropy;
use crate::error::{CmechError, Result};
use crate::graph;
use crate::presentation::Hmm;
use crate::transducer::{Transducer, TransducerEdge};

/// A transducer reconstructed from paired streams, with its diagnostics.
///
/// In the diagnostics, `c_mu` is the transducer's statistical complexity under the input process
/// that drove the data (the entropy of how often the data's maximal histories fall in each
/// state), and `h_mu` its conditional entropy rate h(Y|X) under that input, both in bits; the
/// log-likelihood is that of the outputs given the inputs.
#[derive(Debug, Clone)]
pub struct TransducerReconstruction {
    /// The epsilon-transducer.
    pub transducer: Transducer,
    /// What the reconstruction found besides the transducer.
    pub diagnostics: Diagnostics,
}

/// Reconstructs the epsilon-transducer whose joint word counts are in `table`: symbols of the
/// table are the pairs (x, y) coded `x * outputs.len() + y`, with `inputs` and `outputs` naming
/// x and y. Only [`Method::Cssr`] applies.
pub fn reconstruct_transducer(
    table: &CountTable,
    inputs: Vec<String>,
    outputs: Vec<String>,
    opts: &ReconstructOptions,
) -> Result<TransducerReconstruction> {
    if inputs.is_empty() || outputs.is_empty() {
        return Err(CmechError::InvalidArgument(
            "a transducer needs at least one input and one output symbol".into(),
        ));
    }
    if inputs.len() * outputs.len() != table.alphabet_size() {
        return Err(CmechError::InvalidArgument(format!(
            "{} inputs and {} outputs make {} joint symbols, but the table counts {}",
            inputs.len(),
            outputs.len(),
            inputs.len() * outputs.len(),
            table.alphabet_size()
        )));
    }
    if opts.method != Method::Cssr {
        return Err(CmechError::InvalidArgument(format!(
            "transducers are reconstructed with the cssr method only, not {}",
            opts.method.name()
        )));
    }
    let (fit, states_by_history) = fit_with_history(table, opts, inputs.len())?;
    let (c_mu, h_output, h_joint) = occupation_measures(&fit, outputs.len());
    let transducer = transducer_of(&fit, inputs, outputs)?;
    let diagnostics = Diagnostics::new(
        opts,
        table,
        &fit,
        states_by_history,
        c_mu,
        h_output,
        h_joint,
    );
    Ok(TransducerReconstruction {
        transducer,
        diagnostics,
    })
}

/// The kept class as a transducer, states named by their index in the fit as a machine's are.
fn transducer_of(fit: &Fit, inputs: Vec<String>, outputs: Vec<String>) -> Result<Transducer> {
    let ny = outputs.len();
    let position = |s: usize| fit.class.iter().position(|&c| c == s);
    let edges = fit
        .class
        .iter()
        .map(|&s| {
            fit.edges[s]
                .iter()
                .filter_map(|e| {
                    position(e.to).map(|to| TransducerEdge {
                        input: e.symbol / ny,
                        output: e.symbol % ny,
                        to,
                        p: e.p,
                    })
                })
                .collect()
        })
        .collect();
    Transducer::new(
        "reconstructed".into(),
        inputs,
        outputs,
        fit.class.iter().map(|s| format!("S{s}")).collect(),
        edges,
    )
}

/// Under the input that drove the data: the entropy of the states' occupation (C_mu), the
/// conditional entropy rate of outputs given inputs, and the entropy rate of joint symbols.
fn occupation_measures(fit: &Fit, ny: usize) -> (f64, f64, f64) {
    let mass = |s: usize| fit.block_mass[s].iter().sum::<u64>() as f64;
    let total: f64 = fit.class.iter().map(|&s| mass(s)).sum();
    let c_mu = entropy::entropy(fit.class.iter().map(|&s| mass(s) / total));
    // h(X, Y) = h(Y | X) + the entropy of the next input given the state.
    let (mut h_output, mut h_input) = (0.0, 0.0);
    for &s in &fit.class {
        let inputs = &fit.block_mass[s];
        for (x, &m) in inputs.iter().enumerate() {
            let outputs = fit.edges[s].iter().filter(|e| e.symbol / ny == x);
            h_output += m as f64 / total * entropy::entropy(outputs.map(|e| e.p));
        }
        h_input += mass(s) / total * entropy::entropy(inputs.iter().map(|&m| m as f64 / mass(s)));
    }
    let h_joint = h_output + h_input;
    (c_mu, h_output, h_joint)
}

/// The part of `transducer` that data driven by the process `input` show: the (state, input)
/// pairs met in the recurrent classes of the chain of (input state, transducer state) pairs,
/// minimised. A state may then leave inputs undefined (under the golden mean, no state after a
/// 1 ever reads another 1), and states told apart only by inputs never read merge. It is what
/// a reconstruction from enough such data can return, and what it is checked against.
pub fn exercised_part(transducer: &Transducer, input: &Hmm) -> Result<Transducer> {
    if input.alphabet() != transducer.inputs() {
        return Err(CmechError::InvalidArgument(format!(
            "the input process emits [{}] but the transducer reads [{}]",
            input.alphabet().join(", "),
            transducer.inputs().join(", ")
        )));
    }
    let n = transducer.num_states();
    let adjacency: Vec<Vec<usize>> = (0..input.num_states() * n)
        .map(|node| {
            let (a, s) = (node / n, node % n);
            input
                .edges(a)
                .iter()
                .flat_map(|ea| {
                    transducer
                        .edges_for(s, ea.symbol)
                        .iter()
                        .map(move |et| ea.to * n + et.to)
                })
                .collect()
        })
        .collect();
    let mut read = vec![vec![false; transducer.inputs().len()]; n];
    for class in graph::closed_components(&adjacency) {
        for node in class {
            let (a, s) = (node / n, node % n);
            for ea in input.edges(a) {
                if transducer.edges_for(s, ea.symbol).is_empty() {
                    return Err(CmechError::InvalidArgument(format!(
                        "driven by this input, state {} of the transducer reads {}, which it \
                         leaves undefined",
                        transducer.states()[s],
                        transducer.inputs()[ea.symbol]
                    )));
                }
                read[s][ea.symbol] = true;
            }
        }
    }
    let kept: Vec<usize> = (0..n).filter(|&s| read[s].iter().any(|&r| r)).collect();
    let edges = kept
        .iter()
        .map(|&s| {
            transducer
                .edges(s)
                .iter()
                .filter(|e| read[s][e.input])
                .map(|e| TransducerEdge {
                    to: kept
                        .binary_search(&e.to)
                        .expect("recurrent classes are closed"),
                    ..*e
                })
                .collect()
        })
        .collect();
    let restricted = Transducer::new(
        transducer.name().to_string(),
        transducer.inputs().to_vec(),
        transducer.outputs().to_vec(),
        kept.iter()
            .map(|&s| transducer.states()[s].clone())
            .collect(),
        edges,
    )?;
    merge_compatible(&restricted)
}

/// Merges states that agree, on every input both read, on outputs, probabilities and where they
/// lead: an input a state never reads under this drive says nothing against merging (under the
/// golden mean, the feedforward NOR emits 0 whatever the state). Compatibility is not transitive,
/// so states join, in order, the first group all of whose members they agree with, and the groups
/// are refined until stable; for complete transducers this is Moore's minimisation.
fn merge_compatible(t: &Transducer) -> Result<Transducer> {
    let n = t.num_states();
    let quantise = |p: f64| (p * 1e9).round() as i64;
    let mut group = vec![0usize; n];
    loop {
        let signature = |s: usize, x: usize| {
            let mut sig: Vec<(usize, usize, i64)> = t
                .edges_for(s, x)
                .iter()
                .map(|e| (e.output, group[e.to], quantise(e.p)))
                .collect();
            sig.sort_unstable();
            sig
        };
        let agree = |a: usize, b: usize| {
            group[a] == group[b]
                && (0..t.inputs().len()).all(|x| {
                    t.edges_for(a, x).is_empty()
                        || t.edges_for(b, x).is_empty()
                        || signature(a, x) == signature(b, x)
                })
        };
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for s in 0..n {
            match groups.iter_mut().find(|g| g.iter().all(|&m| agree(m, s))) {
                Some(g) => g.push(s),
                None => groups.push(vec![s]),
            }
        }
        let stable = groups.len() == group.iter().max().map_or(0, |m| m + 1);
        for (i, g) in groups.iter().enumerate() {
            g.iter().for_each(|&s| group[s] = i);
        }
        if !stable {
            continue;
        }
        let edges = groups
            .iter()
            .map(|g| {
                (0..t.inputs().len())
                    .flat_map(|x| {
                        let from = g.iter().find(|&&s| !t.edges_for(s, x).is_empty());
                        from.map_or(&[][..], |&s| t.edges_for(s, x))
                    })
                    .map(|e| TransducerEdge {
                        to: group[e.to],
                        ..*e
                    })
                    .collect()
            })
            .collect();
        return Transducer::new(
            t.name().to_string(),
            t.inputs().to_vec(),
            t.outputs().to_vec(),
            groups.iter().map(|g| t.states()[g[0]].clone()).collect(),
            edges,
        );
    }
}
