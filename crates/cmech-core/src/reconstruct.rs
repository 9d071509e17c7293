//! Causal-state splitting reconstruction (CSSR, Shalizi & Klinkner 2004): the epsilon-machine of a
//! process from the word counts of a sample of it.
//!
//! Homogenisation grows suffix histories one symbol further into the past, keeping a child history
//! in its parent's state unless a significance test says its next-symbol distribution differs, in
//! which case it joins the most compatible other state or founds a new one. Determinisation then
//! splits states until every state and symbol lead to one state. Only histories of the maximal
//! length L define transitions; states holding none of them are transient and dropped.

use std::collections::HashMap;

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::counts::{CountTable, WordCounts};
use crate::error::{CmechError, Result};
use crate::graph;
use crate::presentation::{Edge, Hmm};

/// The test deciding whether two next-symbol count vectors come from one distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Test {
    /// Pearson's chi-square test of homogeneity.
    ChiSquare,
    /// Two-sample Kolmogorov-Smirnov test on the cumulative distributions over symbols.
    KolmogorovSmirnov,
}

/// Parameters of CSSR.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CssrOptions {
    pub max_history: usize,
    pub alpha: f64,
    pub test: Test,
}

/// A history (suffix of the past): its length and base-k code, oldest symbol first.
type History = (usize, u64);

struct State {
    histories: Vec<History>,
    counts: Vec<u64>,
}

/// p-value of the hypothesis that counts `a` and `b` share one distribution.
pub fn homogeneity_p_value(a: &[u64], b: &[u64], test: Test) -> f64 {
    let (na, nb) = (a.iter().sum::<u64>() as f64, b.iter().sum::<u64>() as f64);
    if na == 0.0 || nb == 0.0 {
        return 1.0;
    }
    match test {
        Test::ChiSquare => {
            let mut stat = 0.0;
            let mut cells = 0;
            for (&x, &y) in a.iter().zip(b) {
                let total = (x + y) as f64;
                if total == 0.0 {
                    continue;
                }
                cells += 1;
                let (ea, eb) = (total * na / (na + nb), total * nb / (na + nb));
                stat += (x as f64 - ea).powi(2) / ea + (y as f64 - eb).powi(2) / eb;
            }
            if cells < 2 {
                return 1.0;
            }
            let dist = ChiSquared::new((cells - 1) as f64).expect("positive degrees of freedom");
            dist.sf(stat)
        }
        Test::KolmogorovSmirnov => {
            let (mut fa, mut fb, mut d) = (0.0, 0.0, 0.0f64);
            for (&x, &y) in a.iter().zip(b) {
                fa += x as f64 / na;
                fb += y as f64 / nb;
                d = d.max((fa - fb).abs());
            }
            let n = (na * nb / (na + nb)).sqrt();
            kolmogorov_sf((n + 0.12 + 0.11 / n) * d)
        }
    }
}

/// Survival function of the Kolmogorov distribution (Numerical Recipes' Q_KS).
fn kolmogorov_sf(lambda: f64) -> f64 {
    if lambda < 1e-3 {
        return 1.0;
    }
    let mut sum = 0.0;
    for j in 1..=100 {
        let term = 2.0 * (-1f64).powi(j - 1) * (-2.0 * (j as f64).powi(2) * lambda * lambda).exp();
        sum += term;
        if term.abs() < 1e-12 * sum.abs() {
            break;
        }
    }
    sum.clamp(0.0, 1.0)
}

/// What CSSR found besides the machine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CssrDiagnostics {
    /// States after homogenisation and determinisation, transient ones included.
    pub states_before_pruning: usize,
    /// States of the returned (recurrent) machine.
    pub recurrent_states: usize,
    /// Log-likelihood (bits) of the counted windows of length L+1 under the machine's predictions.
    pub log_likelihood: f64,
}

/// Runs CSSR on a count table whose window is at least `max_history + 1`.
pub fn cssr(
    table: &CountTable,
    alphabet: Vec<String>,
    opts: &CssrOptions,
) -> Result<(Hmm, CssrDiagnostics)> {
    let (k, l_max) = (table.alphabet_size(), opts.max_history);
    if l_max == 0 || l_max + 1 > table.window() {
        return Err(CmechError::InvalidArgument(format!(
            "max history {l_max} needs words of {} symbols but the counts go up to {}",
            l_max + 1,
            table.window()
        )));
    }
    if !(opts.alpha > 0.0 && opts.alpha < 1.0) {
        return Err(CmechError::InvalidArgument(format!(
            "significance level {} is not in (0, 1)",
            opts.alpha
        )));
    }
    // counts[l] holds words of length l + 1 (history of length l, then the next symbol).
    let counts: Vec<WordCounts> = (1..=l_max + 1)
        .map(|len| table.counts_of_length(len))
        .collect::<Result<_>>()?;
    let next = |(len, code): History| -> Vec<u64> {
        (0..k as u64)
            .map(|a| counts[len].get(code * k as u64 + a))
            .collect()
    };

    let root: History = (0, 0);
    let mut states = vec![State {
        histories: vec![root],
        counts: next(root),
    }];
    if states[0].counts.iter().sum::<u64>() == 0 {
        return Err(CmechError::InvalidArgument(
            "no symbols were counted".into(),
        ));
    }
    let mut state_of: HashMap<History, usize> = HashMap::from([(root, 0)]);

    // Homogenisation.
    for l in 0..l_max {
        let parents: Vec<History> = states
            .iter()
            .flat_map(|st| st.histories.iter().copied().filter(|h| h.0 == l))
            .collect();
        for (len, code) in parents {
            for a in 0..k as u64 {
                let child: History = (len + 1, a * (k as u64).pow(len as u32) + code);
                let c = next(child);
                if c.iter().sum::<u64>() == 0 {
                    continue;
                }
                let parent_state = state_of[&(len, code)];
                let target = if homogeneity_p_value(&c, &states[parent_state].counts, opts.test)
                    > opts.alpha
                {
                    parent_state
                } else {
                    let best = (0..states.len())
                        .filter(|&t| t != parent_state)
                        .map(|t| (t, homogeneity_p_value(&c, &states[t].counts, opts.test)))
                        .filter(|&(_, p)| p > opts.alpha)
                        .max_by(|x, y| x.1.total_cmp(&y.1));
                    match best {
                        Some((t, _)) => t,
                        None => {
                            states.push(State {
                                histories: Vec::new(),
                                counts: vec![0; k],
                            });
                            states.len() - 1
                        }
                    }
                };
                states[target].histories.push(child);
                for (x, y) in states[target].counts.iter_mut().zip(&c) {
                    *x += y;
                }
                state_of.insert(child, target);
            }
        }
    }

    // Determinisation on the histories of maximal length.
    let lead = (k as u64).pow(l_max as u32);
    let successor =
        |(_, code): History, b: u64| -> History { (l_max, (code * k as u64 + b) % lead) };
    loop {
        let mut split = false;
        let mut s = 0;
        while s < states.len() {
            let longest: Vec<History> = states[s]
                .histories
                .iter()
                .copied()
                .filter(|h| h.0 == l_max)
                .collect();
            let mut groups: Vec<(Vec<Option<usize>>, Vec<History>)> = Vec::new();
            for h in longest {
                let c = next(h);
                let key: Vec<Option<usize>> = (0..k as u64)
                    .map(|b| {
                        (c[b as usize] > 0)
                            .then(|| state_of.get(&successor(h, b)).copied())
                            .flatten()
                    })
                    .collect();
                match groups.iter_mut().find(|g| g.0 == key) {
                    Some(g) => g.1.push(h),
                    None => groups.push((key, vec![h])),
                }
            }
            if groups.len() > 1 {
                split = true;
                for (_, hs) in groups.into_iter().skip(1) {
                    let id = states.len();
                    let mut st = State {
                        histories: Vec::new(),
                        counts: vec![0; k],
                    };
                    for h in hs {
                        states[s].histories.retain(|x| *x != h);
                        for (x, y) in st.counts.iter_mut().zip(next(h)) {
                            *x += y;
                        }
                        for (x, y) in states[s].counts.iter_mut().zip(next(h)) {
                            *x -= y;
                        }
                        st.histories.push(h);
                        state_of.insert(h, id);
                    }
                    states.push(st);
                }
            }
            s += 1;
        }
        if !split {
            break;
        }
    }

    // Transitions from the maximal histories; keep the recurrent class with the most mass.
    let n = states.len();
    let mut edges: Vec<Vec<Edge>> = vec![Vec::new(); n];
    let mut mass = vec![0u64; n];
    for (s, st) in states.iter().enumerate() {
        let mut by_symbol: Vec<(u64, Option<usize>)> = vec![(0, None); k];
        for &h in st.histories.iter().filter(|h| h.0 == l_max) {
            let c = next(h);
            mass[s] += c.iter().sum::<u64>();
            for b in 0..k {
                if c[b] > 0 {
                    by_symbol[b].0 += c[b];
                    by_symbol[b].1 = state_of.get(&successor(h, b as u64)).copied();
                }
            }
        }
        let total: u64 = by_symbol
            .iter()
            .filter(|e| e.1.is_some())
            .map(|e| e.0)
            .sum();
        for (b, &(c, to)) in by_symbol.iter().enumerate() {
            if let Some(to) = to {
                edges[s].push(Edge {
                    symbol: b,
                    to,
                    p: c as f64 / total as f64,
                });
            }
        }
    }
    let adjacency: Vec<Vec<usize>> = edges
        .iter()
        .map(|r| r.iter().map(|e| e.to).collect())
        .collect();
    let class = graph::closed_components(&adjacency)
        .into_iter()
        .filter(|c| c.iter().all(|&s| !edges[s].is_empty()))
        .max_by_key(|c| c.iter().map(|&s| mass[s]).sum::<u64>())
        .ok_or_else(|| CmechError::Unsupported("CSSR found no recurrent state".into()))?;
    let full = Hmm::from_parts(
        "cssr".into(),
        alphabet,
        (0..n).map(|s| format!("S{s}")).collect(),
        edges,
    );
    let machine = full.restrict(&class);

    // Log-likelihood of the windows of length L+1 under the machine (each maximal history's state).
    let mut log_likelihood = 0.0;
    for &s in &class {
        for &h in states[s].histories.iter().filter(|h| h.0 == l_max) {
            for (b, c) in next(h).into_iter().enumerate() {
                if c > 0 {
                    let p = full.emission(s, b);
                    log_likelihood += c as f64 * p.max(f64::MIN_POSITIVE).log2();
                }
            }
        }
    }
    let diagnostics = CssrDiagnostics {
        states_before_pruning: n,
        recurrent_states: machine.num_states(),
        log_likelihood,
    };
    Ok((machine, diagnostics))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::named;

    fn reconstruct(name: &str, l: usize, n: usize) -> Hmm {
        let h = named(name, &[]).unwrap();
        let seq: Vec<u32> = h
            .sample(n, 11)
            .unwrap()
            .into_iter()
            .map(|x| x as u32)
            .collect();
        let mut t = CountTable::new(h.num_symbols(), l + 1).unwrap();
        t.add_sequence(&seq).unwrap();
        let opts = CssrOptions {
            max_history: l,
            alpha: 0.001,
            test: Test::ChiSquare,
        };
        cssr(&t, h.alphabet().to_vec(), &opts).unwrap().0
    }

    #[test]
    fn recovers_finite_order_machines() {
        // Processes of infinite Markov order (even, rrxor, noisy period) are split into spurious
        // states at finite L, as in the original CSSR; recovering them is the work left in issue 3.
        for name in ["golden-mean", "biased-coin", "z1r", "period"] {
            let truth = named(name, &[]).unwrap().minimize().unwrap();
            let got = reconstruct(name, 4, 1_000_000);
            assert!(got.is_isomorphic(&truth, 0.01), "{name}: {}", got.to_json());
        }
    }

    #[test]
    fn tests_agree_on_clear_cases() {
        for test in [Test::ChiSquare, Test::KolmogorovSmirnov] {
            assert!(homogeneity_p_value(&[500, 500], &[510, 490], test) > 0.1);
            assert!(homogeneity_p_value(&[900, 100], &[100, 900], test) < 1e-10);
        }
    }
}
