//! Boundaries: how well a proposed split of a system into inside V, active boundary A, passive
//! boundary P and environment E separates the inside from the outside across one time step.
//!
//! Following Critch's «Boundaries» sequence (Part 3a, "Defining boundaries as directed Markov
//! blankets", LessWrong / AI Alignment Forum, 2022), a boundary is a (approximate) directed
//! Markov blanket: the environment acts on the inside only through the passive boundary, and the
//! inside acts on the environment only through the active boundary. Its leaks are measured by
//!
//! - infiltration  I((V, A)_{t+1} ; E_t | (V, A, P)_t): what the environment tells about the
//!   inside's (and active boundary's) next state beyond what inside and boundary already tell;
//! - exfiltration  I((E, P)_{t+1} ; V_t | (A, P, E)_t): what the inside tells about the
//!   environment's (and passive boundary's) next state beyond what boundary and environment tell.
//!
//! Both are plug-in conditional mutual informations on the joint symbols of the groups (each group
//! read as one number), in bits, counted over every time step of every trial. Both are 0 for a
//! perfect directed blanket. The joint symbols grow exponentially with the number of variables,
//! so plug-in values are only trustworthy when the joint states are well sampled. The surrogate
//! test permutes E_t (resp. V_t) among the observations that share the conditioning state
//! (V, A, P)_t (resp. (A, P, E)_t): a conditional permutation, which keeps the dependence of the
//! permuted group on the condition and so its share of the plug-in bias. A free permutation
//! would also break that dependence, inflate the surrogates' bias and hide real leaks. When
//! most conditioning states occur once, few observations can move and the test has no power;
//! `exchangeable` in the test says how many could.

use serde::{Deserialize, Serialize};

use super::significance::{test_observations, Permutation, SurrogateTest};
use super::{bad, engine, Embedded, Query, Series, Window};
use crate::error::Result;

/// A split of the variables (indices into the list of series) into four disjoint groups.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Split {
    /// V: the inside ("viscera").
    pub inside: Vec<usize>,
    /// A: the active boundary (acted on by the inside, acting on the environment).
    pub active: Vec<usize>,
    /// P: the passive boundary (acted on by the environment, acting on the inside).
    pub passive: Vec<usize>,
    /// E: the environment.
    pub environment: Vec<usize>,
}

/// Infiltration and exfiltration of a split, with their surrogate tests when asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoundaryScores {
    /// I((V, A)_{t+1} ; E_t | (V, A, P)_t), plug-in, in bits; 0 when nothing leaks in.
    pub infiltration: f64,
    /// I((E, P)_{t+1} ; V_t | (A, P, E)_t), plug-in, in bits; 0 when nothing leaks out.
    pub exfiltration: f64,
    /// Time steps counted (pairs t, t + 1 over all trials).
    pub observations: usize,
    /// Surrogate test of `infiltration` (E_t permuted among observations with the same
    /// (V, A, P)_t), when surrogates were asked for.
    pub infiltration_test: Option<SurrogateTest>,
    /// Surrogate test of `exfiltration` (V_t permuted among observations with the same
    /// (A, P, E)_t), when surrogates were asked for.
    pub exfiltration_test: Option<SurrogateTest>,
}

impl Split {
    fn check(&self, n: usize) -> Result<()> {
        let groups = [
            ("inside", &self.inside),
            ("active boundary", &self.active),
            ("passive boundary", &self.passive),
            ("environment", &self.environment),
        ];
        let mut seen = vec![None; n];
        for (name, g) in groups {
            for &i in g {
                if i >= n {
                    return Err(bad(format!(
                        "variable {i} of the {name} is beyond the {n} variables (0 to {})",
                        n.saturating_sub(1)
                    )));
                }
                match seen[i] {
                    Some(other) if other == name => {
                        return Err(bad(format!("variable {i} is listed twice in the {name}")))
                    }
                    Some(other) => {
                        return Err(bad(format!(
                            "variable {i} is in both the {other} and the {name}"
                        )))
                    }
                    None => {}
                }
                seen[i] = Some(name);
            }
        }
        if self.inside.is_empty() {
            return Err(bad("the inside V is empty"));
        }
        if self.environment.is_empty() {
            return Err(bad("the environment E is empty"));
        }
        Ok(())
    }

    fn windows(groups: &[&Vec<usize>], lag: usize) -> Vec<Window> {
        groups
            .iter()
            .flat_map(|g| g.iter().map(move |&i| Window::new(i, 1, lag)))
            .collect()
    }

    /// I((V, A)_{t+1} ; E_t | (V, A, P)_t).
    pub fn infiltration_query(&self) -> Query {
        Query {
            x: Split::windows(&[&self.inside, &self.active], 0),
            y: Split::windows(&[&self.environment], 1),
            z: Split::windows(&[&self.inside, &self.active, &self.passive], 1),
        }
    }

    /// I((E, P)_{t+1} ; V_t | (A, P, E)_t).
    pub fn exfiltration_query(&self) -> Query {
        Query {
            x: Split::windows(&[&self.environment, &self.passive], 0),
            y: Split::windows(&[&self.inside], 1),
            z: Split::windows(&[&self.active, &self.passive, &self.environment], 1),
        }
    }
}

fn embed<'a>(vars: &[&'a Series], q: &Query, what: &str) -> Result<Embedded<'a>> {
    let e = Embedded::new(vars, q).map_err(|e| match e {
        crate::CmechError::InvalidArgument(m) => bad(format!("{what}: {m}")),
        e => e,
    })?;
    if e.lengths_total() == 0 {
        return Err(bad(format!(
            "{what} needs two time steps, but no trial has more than one"
        )));
    }
    Ok(e)
}

/// Infiltration and exfiltration of `split` over the variables `vars` (series that share their
/// trials, one per variable). With `surrogates` > 0, each comes with a surrogate test.
pub fn boundary_scores(
    vars: &[&Series],
    split: &Split,
    surrogates: usize,
    seed: u64,
) -> Result<BoundaryScores> {
    split.check(vars.len())?;
    for (name, group) in [
        ("inside V", &split.inside),
        ("active boundary A", &split.active),
        ("passive boundary P", &split.passive),
        ("environment E", &split.environment),
    ] {
        let bits: f64 = group
            .iter()
            .map(|&i| (vars[i].alphabet() as f64).log2())
            .sum();
        if bits > 64.0 {
            return Err(bad(format!(
                "the {name} has {} variables with 2^{bits:.0} joint states, more than 64 bits \
                 hold; choose fewer variables",
                group.len()
            )));
        }
    }
    let inf = embed(vars, &split.infiltration_query(), "infiltration")?;
    let exf = embed(vars, &split.exfiltration_query(), "exfiltration")?;
    let observations = inf.lengths_total();
    let (infiltration, infiltration_test) = score(&inf, surrogates, seed)?;
    let (exfiltration, exfiltration_test) = score(&exf, surrogates, seed)?;
    Ok(BoundaryScores {
        infiltration,
        exfiltration,
        observations,
        infiltration_test,
        exfiltration_test,
    })
}

fn score(e: &Embedded, surrogates: usize, seed: u64) -> Result<(f64, Option<SurrogateTest>)> {
    if surrogates == 0 {
        Ok((engine::count(e, engine::Kind::Cmi)?.value(), None))
    } else {
        let t = test_observations(e, surrogates, seed, Permutation::WithinCondition)?;
        Ok((t.observed, Some(t)))
    }
}
