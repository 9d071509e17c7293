//! Model selection: the reconstruction a user gets when they give no method, history length or
//! significance level.
//!
//! Both methods are fitted at every history length the counts and the data support, each fit is
//! minimised, its probabilities re-estimated by maximum likelihood along the data, and scored by
//! the Bayesian information criterion in bits, `-log2 P(data | machine) + (d / 2) log2 N` (`d`
//! free probabilities, `N` symbols; [`super::score`] says how the likelihood is computed from
//! counts). The independent-symbols machine of one state is always a candidate, so some candidate
//! can always produce the data. Among candidates within [`TIE_BITS`] of the best score, the one
//! with the fewest states is chosen: the data cannot tell them apart, and the smaller claims less.
//! BIC is consistent for finite unifilar models (its penalty grows as log N while a real
//! difference in prediction grows as N), which is what makes the choice right from enough data
//! with no tuning; the candidates' scores are all reported, so a user sees how sharp it was.
//!
//! Counting once at the longest window gives every shorter one, so the cost is that of the fits:
//! the scan over history lengths stops once [`PATIENCE`] lengths in a row improve on nothing.
use serde::{Deserialize, Serialize};

use crate::counts::CountTable;
use crate::error::{CmechError, Result};
use crate::presentation::{Edge, Hmm};

use super::refine::{collapse, refine, Refined, Refinement};
use super::score::{parameters, reestimate, score_counts, Score, ScoreData, Tallies};
use super::{estimated_entropy_rate, supported_history, Method, ReconstructOptions, Test};
use super::{WordTables, DEFAULT_ALPHA};

/// Candidates whose scores differ by less than this (bits) are tied; the smallest machine wins.
pub const TIE_BITS: f64 = 2.0;

/// History lengths in a row with no better score before the scan stops.
pub const PATIENCE: usize = 3;

/// The longest history the selection counts for by default (the alphabet may lower it).
pub const MAX_SELECT_HISTORY: usize = 12;

/// The most word codes a default selection window may span (`k^window`): binary data get
/// histories up to [`MAX_SELECT_HISTORY`], larger alphabets shorter ones.
const MAX_SELECT_CODES: f64 = (1u64 << 24) as f64;

/// Rounds of refinement, each after the first preceded by a collapse, at most.
const ROUNDS: usize = 4;

/// Rounds of maximum-likelihood re-estimation of each candidate's probabilities.
const REESTIMATION_ROUNDS: usize = 2;

/// What the selection may consider.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SelectOptions {
    /// The longest history length tried (`None`: from the alphabet, at most
    /// [`MAX_SELECT_HISTORY`]).
    pub max_history: Option<usize>,
}

impl SelectOptions {
    /// The longest history length tried for an alphabet of `k` symbols.
    pub fn longest_history(&self, k: usize) -> usize {
        self.max_history.unwrap_or_else(|| {
            let f = forward_options(1).future_length(k);
            let k = k.max(2) as f64;
            (1..=MAX_SELECT_HISTORY)
                .rev()
                .find(|&l| k.powi((l + 1 + f) as i32) <= MAX_SELECT_CODES)
                .unwrap_or(1)
        })
    }

    /// The word length the counts must reach: that of the forward method at the longest history.
    pub fn window(&self, k: usize) -> usize {
        forward_options(self.longest_history(k)).window(k)
    }

    /// Checks the options before any data is read.
    pub fn validate(&self) -> Result<()> {
        if let Some(l) = self.max_history {
            crate::error::at_least_one("max_history", l)?;
            super::options::within_window("max_history", l)?;
        }
        Ok(())
    }
}

fn forward_options(l: usize) -> ReconstructOptions {
    ReconstructOptions {
        method: Method::Forward,
        max_history: l,
        ..ReconstructOptions::default()
    }
}

/// One machine the selection scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The method (`None`: the independent-symbols machine).
    pub method: Option<Method>,
    /// History length (0 for the independent-symbols machine).
    pub max_history: usize,
    /// The significance level of the tests that split states (0 for the independent-symbols
    /// machine).
    pub alpha: f64,
    /// States of the minimised machine.
    pub states: usize,
    /// Free probabilities.
    pub parameters: usize,
    /// log2-likelihood of all the data (minus infinity: the machine cannot produce it).
    #[serde(
        serialize_with = "super::finite_or_null",
        deserialize_with = "super::null_as_minus_infinity"
    )]
    pub log_likelihood: f64,
    /// Minus the log-likelihood per symbol, bits (`None`: impossible data, or no machine).
    pub log_loss: Option<f64>,
    /// BIC in bits, smaller is better (infinite when the machine cannot produce the data).
    #[serde(
        serialize_with = "super::finite_or_null",
        deserialize_with = "super::null_as_infinity"
    )]
    pub score: f64,
    /// Why the method gave no machine at this length, if it gave none.
    pub failure: Option<String>,
    /// The moves that made this candidate from another (`None`: a fit as the method gave it).
    pub refined: Option<Refinement>,
}

/// How the returned machine was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// The criterion: "bic".
    pub criterion: String,
    /// Index of the chosen candidate.
    pub chosen: usize,
    /// Every candidate, in the order they were fitted.
    pub candidates: Vec<Candidate>,
    /// The choice in words.
    pub reason: String,
}

/// A scored candidate with its machine.
pub(crate) struct Scored {
    pub(crate) candidate: Candidate,
    pub(crate) machine: Option<Hmm>,
    pub(crate) score: Option<Score>,
}

impl Scored {
    fn new(
        method: Option<Method>,
        max_history: usize,
        alpha: f64,
        machine: Hmm,
        score: Score,
        refined: Option<Refinement>,
    ) -> Scored {
        let d = parameters(&machine);
        Scored {
            candidate: Candidate {
                method,
                max_history,
                alpha,
                states: machine.num_states(),
                parameters: d,
                log_likelihood: score.log_likelihood,
                log_loss: score.log_likelihood.is_finite().then(|| score.log_loss()),
                score: bic(score.log_likelihood, d, score.symbols),
                failure: None,
                refined,
            },
            machine: Some(machine),
            score: Some(score),
        }
    }
}

/// BIC in bits.
pub(crate) fn bic(log_likelihood: f64, parameters: usize, symbols: u64) -> f64 {
    -log_likelihood + 0.5 * parameters as f64 * (symbols.max(2) as f64).log2()
}

/// Minimises `machine`, re-estimates its probabilities by maximum likelihood on the counts and
/// scores it.
pub(crate) fn polish(machine: &Hmm, data: &ScoreData) -> Result<(Hmm, Score, Tallies)> {
    let mut m = machine.minimize()?;
    let (mut score, mut tallies) = score_counts(&m, data)?;
    for _ in 0..REESTIMATION_ROUNDS {
        if !score.log_likelihood.is_finite() {
            break;
        }
        let next = reestimate(&m, &tallies).minimize()?;
        let (s, t) = score_counts(&next, data)?;
        if s.log_likelihood < score.log_likelihood {
            break;
        }
        m = next;
        score = s;
        tallies = t;
    }
    Ok((m, score, tallies))
}

/// Whether two machines have the same states and transitions up to relabelling, whatever their
/// probabilities (every probability is within 1 of any other).
fn structure_equal(a: &Hmm, b: &Hmm) -> bool {
    a.num_states() == b.num_states() && parameters(a) == parameters(b) && a.is_isomorphic(b, 1.0)
}

/// The one-state machine emitting each symbol with its frequency.
fn independent_symbols(counts: &WordTables, alphabet: &[String]) -> Hmm {
    let ones = &counts.by_len[0];
    let total = ones.total().max(1) as f64;
    let edges = vec![ones
        .iter()
        .map(|(x, c)| Edge {
            symbol: x as usize,
            to: 0,
            p: c as f64 / total,
        })
        .collect()];
    Hmm::from_parts(
        "reconstructed".into(),
        alphabet.to_vec(),
        vec!["S0".into()],
        edges,
    )
}

/// What a selection found.
pub(crate) struct Outcome {
    /// Every candidate, machines included.
    pub(crate) scored: Vec<Scored>,
    pub(crate) chosen: usize,
    /// (L, states) of the forward method's candidates.
    pub(crate) forward_states: Vec<(usize, usize)>,
    /// The entropy rate estimated from block entropies of the counts used.
    pub(crate) entropy_rate: f64,
}

/// Fits and scores every candidate, and picks one.
pub(crate) fn candidates(
    table: &CountTable,
    alphabet: &[String],
    opts: &SelectOptions,
) -> Result<Outcome> {
    opts.validate()?;
    let k = table.alphabet_size();
    // A longest history given: the words it needs, however far the counts go, so that the same
    // data give the same answer from any count of them. None: the counts as they are.
    let window = match opts.max_history {
        Some(_) => opts.window(k).min(table.window()),
        None => table.window(),
    };
    if window < 2 {
        return Err(CmechError::InvalidArgument(
            "the counts go up to words of one symbol: nothing to learn transitions from".into(),
        ));
    }
    let counts = WordTables::new(table, window, 1)?;
    let data = ScoreData::new(k, &counts.by_len, table.end_words())?;
    let n = table.symbols();
    let entropy_rate = estimated_entropy_rate(&counts);
    let bound = supported_history(n, entropy_rate);
    let mut scored: Vec<Scored> = Vec::new();
    let push = |scored: &mut Vec<Scored>,
                method: Option<Method>,
                l: usize,
                fit: Result<Hmm>|
     -> Result<()> {
        let alpha = if method.is_some() { DEFAULT_ALPHA } else { 0.0 };
        // A structure already scored is not scored again: maximum likelihood on the same data
        // gives it the same probabilities whichever method or L found it.
        let polished = fit.and_then(|m| {
            let m = m.minimize()?;
            let seen = scored.iter().find_map(|s| match (&s.machine, s.score) {
                (Some(p), Some(score)) if structure_equal(p, &m) => Some((p.clone(), score)),
                _ => None,
            });
            match seen {
                Some(hit) => Ok(hit),
                None => polish(&m, &data).map(|(m, s, _)| (m, s)),
            }
        });
        let entry = match polished {
            Ok((machine, score)) => Scored::new(method, l, alpha, machine, score, None),
            Err(e @ (CmechError::InvalidArgument(_) | CmechError::Unsupported(_))) => Scored {
                candidate: Candidate {
                    method,
                    max_history: l,
                    alpha,
                    states: 0,
                    parameters: 0,
                    log_likelihood: f64::NEG_INFINITY,
                    log_loss: None,
                    score: f64::INFINITY,
                    failure: Some(e.to_string()),
                    refined: None,
                },
                machine: None,
                score: None,
            },
            Err(e) => return Err(e),
        };
        scored.push(entry);
        Ok(())
    };
    push(
        &mut scored,
        None,
        0,
        Ok(independent_symbols(&counts, alphabet)),
    )?;
    let mut best = scored[0].candidate.score;
    let mut stale = 0;
    let mut forward_states = Vec::new();
    // A history no longer than the scored context, so that every candidate is judged on the
    // histories it was built from.
    let longest = opts.longest_history(k).min(data.context());
    for l in 1..=longest {
        if bound.is_some_and(|b| l > b) {
            break;
        }
        let before = best;
        for method in [Method::Cssr, Method::Forward] {
            let o = ReconstructOptions {
                method,
                max_history: l,
                alpha: DEFAULT_ALPHA,
                test: Test::ChiSquare,
                future: None,
            };
            if o.window(k) > window {
                continue;
            }
            let fit = o.fit(&counts, l).map(|f| f.machine(alphabet.to_vec()));
            push(&mut scored, Some(method), l, fit)?;
            let c = &scored.last().expect("pushed").candidate;
            if method == Method::Forward {
                forward_states.push((l, c.states));
            }
            best = best.min(c.score);
        }
        stale = if best < before { 0 } else { stale + 1 };
        if stale >= PATIENCE {
            break;
        }
    }
    // The global move first, collapse (for fits that split each state into many classes of rare
    // histories), from the chosen fit and from the longest forward fit: where a process
    // synchronises slowly the latter holds most of the true states, even when a rare edge it
    // lacks leaves it unable to produce the data. Then the local moves, from whichever is chosen.
    let chosen = choose(&scored)?;
    let longest_forward = (0..scored.len())
        .filter(|&i| scored[i].candidate.method == Some(Method::Forward))
        .filter(|&i| scored[i].machine.is_some())
        .max_by_key(|&i| scored[i].candidate.max_history)
        .filter(|&i| i != chosen);
    for from in std::iter::once(chosen).chain(longest_forward) {
        let start = scored[from].machine.as_ref().expect("filtered");
        if let Some(r) = collapse(start, from, &data)? {
            push_refined(&mut scored, from, r);
        }
    }
    let mut chosen = choose(&scored)?;
    // Each step's machine is followed along the data better than the last, so its visits tell
    // its states apart better: collapse and refine again while they change the choice.
    type Step = fn(&Hmm, usize, &ScoreData) -> Result<Option<Refined>>;
    for round in 0..ROUNDS {
        let before = chosen;
        let steps: &[Step] = if round == 0 {
            &[refine]
        } else {
            &[collapse, refine]
        };
        for step in steps {
            let start = scored[chosen]
                .machine
                .as_ref()
                .expect("a chosen candidate has a machine");
            if let Some(r) = step(start, chosen, &data)? {
                push_refined(&mut scored, chosen, r);
                chosen = choose(&scored)?;
            }
        }
        if chosen == before {
            break;
        }
    }
    Ok(Outcome {
        scored,
        chosen,
        forward_states,
        entropy_rate,
    })
}

/// Adds the machine refinement made from candidate `from`, under its method and history length.
fn push_refined(scored: &mut Vec<Scored>, from: usize, r: Refined) {
    let o = &scored[from].candidate;
    let (method, l, alpha) = (o.method, o.max_history, o.alpha);
    scored.push(Scored::new(
        method,
        l,
        alpha,
        r.machine,
        r.score,
        Some(r.moves),
    ));
}

/// The smallest machine among those within [`TIE_BITS`] of the best score (fewest states, then
/// parameters, then the shortest history).
fn choose(scored: &[Scored]) -> Result<usize> {
    let best = scored
        .iter()
        .map(|s| s.candidate.score)
        .fold(f64::INFINITY, f64::min);
    if !best.is_finite() {
        return Err(CmechError::Unsupported(
            "no candidate machine can produce the data".into(),
        ));
    }
    Ok((0..scored.len())
        .filter(|&i| scored[i].candidate.score <= best + TIE_BITS)
        .min_by(|&a, &b| {
            let (x, y) = (&scored[a].candidate, &scored[b].candidate);
            (x.states, x.parameters, x.max_history)
                .cmp(&(y.states, y.parameters, y.max_history))
                .then(x.score.total_cmp(&y.score))
        })
        .expect("the best is within the tie"))
}
