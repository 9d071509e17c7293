//! Reconstruction of the epsilon-machine of a process from the word counts of a sample of it.
//!
//! [`Method::Cssr`] is causal-state splitting reconstruction (Shalizi & Klinkner 2004) as the
//! original program runs it: homogenisation grows suffix histories one symbol further into the
//! past, keeping a child history in its parent's state unless a significance test says its
//! next-symbol distribution differs, in which case it joins the first other state that accepts it
//! or founds a new one; transient states are dropped; determinisation then splits states until
//! every state and symbol lead to one state. The function `cssr` says how, step by step.
//!
//! [`Method::Forward`] keeps CSSR's statistics but not its successor rule, which is what splits
//! processes of infinite Markov order whose unsynchronised histories are not all transient
//! (RRXOR) into ever more states; the function `forward` says how.
use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use crate::counts::{CountTable, WordCounts};
use crate::error::{CmechError, Result};
use crate::graph;
use crate::info;
use crate::presentation::{Edge, Hmm};

pub mod holdout;
mod homogeneity;
mod options;
mod refine;
mod score;
mod select;
mod transducer;
pub use holdout::{hold_out, HeldOut, HeldOutScore};
use homogeneity::Tester;
pub use homogeneity::{homogeneity_p_value, Test};
pub use options::{CountWindow, Method, Plan, ReconstructOptions, Request, DEFAULT_ALPHA};
pub use refine::Refinement;
pub use score::{parameters, Score};
pub use select::{Candidate, SelectOptions, Selection, MAX_SELECT_HISTORY, PATIENCE, TIE_BITS};
pub use transducer::{exercised_part, reconstruct_transducer, TransducerReconstruction};

/// A history (suffix of the past): its length and base-k code, oldest symbol first.
type History = (usize, u64);

/// Serialises a number that may be infinite (a log-likelihood of impossible data) as JSON's null.
fn finite_or_null<S: serde::Serializer>(x: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    if x.is_finite() {
        s.serialize_f64(*x)
    } else {
        s.serialize_none()
    }
}

/// The longest history `n` symbols support at entropy rate `h` by the Marton-Shields bound
/// L <= log2 N / h (`None` when `h` is 0: any length).
fn supported_history(n: u64, h: f64) -> Option<usize> {
    (h > 1e-9).then(|| ((n as f64).log2() / h).floor() as usize)
}

/// The entropy rate estimated from the counts alone, as the block-entropy difference
/// H(l + 1) - H(l) at the longest l whose words are well sampled (16 symbols or more for every
/// possible word of length l + 1), for messages when no machine could be fitted.
fn estimated_entropy_rate(counts: &WordTables) -> f64 {
    let block = |len: usize| {
        let words = &counts.by_len[len - 1];
        let total = words.total().max(1) as f64;
        info::entropy(words.iter().map(|(_, c)| c as f64 / total))
    };
    let n = counts.by_len[0].total() as f64;
    let longest = counts.by_len.len() - 1;
    if longest == 0 {
        return block(1);
    }
    let l = (1..=longest)
        .rev()
        .find(|&l| (counts.k as f64).powi(l as i32 + 1) * 16.0 <= n)
        .unwrap_or(1);
    (block(l + 1) - block(l)).max(0.0)
}

/// Why no machine was found at history length `l`: too long a history for the data.
fn history_too_long(counts: &WordTables, l: usize) -> CmechError {
    let n = counts.by_len[0].total();
    let h = estimated_entropy_rate(counts);
    let message = match supported_history(n, h) {
        Some(bound) if l > bound => format!(
            "no recurrent state was found at history length {l}: {n} symbols do not support \
             histories that long (Marton-Shields: L <= log2 N / h = {bound} at an estimated \
             entropy rate of {h:.3}); use a maximum history length of at most {bound}"
        ),
        Some(bound) => format!(
            "no recurrent state was found at history length {l}: {n} symbols are too few for \
             histories that long (the Marton-Shields bound log2 N / h = {bound} at an estimated \
             entropy rate of {h:.3} is an upper limit; reliable statistics need shorter ones); \
             use a shorter maximum history length"
        ),
        None => format!(
            "no recurrent state was found at history length {l}: {n} symbols are too few for \
             histories that long; use a shorter maximum history length"
        ),
    };
    CmechError::InvalidArgument(message)
}

/// What a reconstruction found besides the machine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostics {
    /// The method that fitted the machine (in a selection, the chosen candidate's; CSSR for the
    /// independent-symbols machine).
    pub method: Method,
    /// The history length L of the machine (in a selection, the chosen candidate's).
    pub max_history: usize,
    /// The significance level of the tests that split states (in a selection, the chosen
    /// candidate's: 0 for the independent-symbols machine).
    pub alpha: f64,
    /// The test that split states (chi-square in a selection).
    pub test: Test,
    /// Symbols counted, over all sequences: the sample size N.
    pub symbols: u64,
    /// Sequences counted (those with at least one symbol).
    pub sequences: u64,
    /// States before transient ones were dropped.
    pub states_total: usize,
    /// States of the returned machine (its heaviest recurrent class, minimised).
    pub recurrent_states: usize,
    /// States dropped: transient, or outside the heaviest recurrent class.
    pub transient_states: usize,
    /// Share of the counted histories of length L that fall in the returned machine's states.
    pub recurrent_mass: f64,
    /// Statistical complexity and entropy rate (bits) of the returned machine.
    pub c_mu: f64,
    /// Entropy rate of the returned machine, bits per symbol.
    pub h_mu: f64,
    /// Log-likelihood (bits) of the data under the machine: of every symbol, started from the
    /// stationary distribution (see [`Score`]); minus infinity (JSON null) when the machine gives
    /// some observed word probability zero. For a transducer: of the counted outputs given the
    /// inputs, under the synchronised histories' predictions.
    #[serde(serialize_with = "finite_or_null")]
    pub log_likelihood: f64,
    /// Minus the log-likelihood per symbol (bits; `None` for a transducer).
    pub log_loss: Option<f64>,
    /// Occurrences of symbols that the machine gives probability zero where they occurred.
    pub impossible: u64,
    /// (L, recurrent states) for every history length up to the maximum.
    pub states_by_history: Vec<(usize, usize)>,
    /// True when there are more states at L than at L/2: a sign of structure that no finite
    /// history captures, or that needs histories longer than L.
    pub still_growing: bool,
    /// How the state count grows with L, when it is still growing: no finite machine was found.
    pub growth: Option<Growth>,
    /// The entropy rate (bits) estimated from block entropies of the counts alone, on which the
    /// supported history length rests (for a transducer: the fitted joint entropy rate).
    pub entropy_rate_estimate: f64,
    /// The longest history the sample supports by the Marton-Shields bound L <= log2 N / h.
    pub supported_history: Option<usize>,
    /// How the machine was chosen, when the reconstruction selected it.
    pub selection: Option<Selection>,
    /// What the user should know about the result (a history longer than the data support, a
    /// state count that keeps growing), one line each.
    pub warnings: Vec<String>,
}

/// A law fitted to the number of states by history length, for a count that keeps growing (as at
/// the onset of chaos, where period doubling never stops): states ~ a * rate^L (exponential) or
/// states ~ a * L^exponent (polynomial), whichever fits log(states) better by least squares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Growth {
    /// "exponential" or "polynomial".
    pub law: &'static str,
    /// The growth factor per unit of L (exponential) or the exponent (polynomial).
    pub rate: f64,
    /// The prefactor a.
    pub prefactor: f64,
    /// Coefficient of determination of the fit in log(states).
    pub r_squared: f64,
    /// The finding in words.
    pub statement: String,
}

/// Least squares of y on x: (slope, intercept, r^2).
fn least_squares(points: &[(f64, f64)]) -> (f64, f64, f64) {
    let n = points.len() as f64;
    let (mx, my) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), &(x, y)| (a + x / n, b + y / n));
    let sxx: f64 = points.iter().map(|&(x, _)| (x - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|&(x, y)| (x - mx) * (y - my)).sum();
    let syy: f64 = points.iter().map(|&(_, y)| (y - my).powi(2)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let r2 = if syy > 0.0 && sxx > 0.0 {
        (sxy * sxy) / (sxx * syy)
    } else {
        1.0
    };
    (slope, my - slope * mx, r2)
}

impl Growth {
    /// The law of the states by history length from the first length with more than one state
    /// on (`None` with fewer than three such lengths).
    fn fit(states_by_history: &[(usize, usize)]) -> Option<Growth> {
        let pts: Vec<(f64, f64)> = states_by_history
            .iter()
            .filter(|&&(_, s)| s > 1)
            .map(|&(l, s)| (l as f64, (s as f64).ln()))
            .collect();
        if pts.len() < 3 {
            return None;
        }
        let (b, a, r2_exp) = least_squares(&pts);
        let logs: Vec<(f64, f64)> = pts.iter().map(|&(l, y)| (l.ln(), y)).collect();
        let (e, c, r2_pow) = least_squares(&logs);
        let (law, rate, prefactor, r_squared) = if r2_exp >= r2_pow {
            ("exponential", b.exp(), a.exp(), r2_exp)
        } else {
            ("polynomial", e, c.exp(), r2_pow)
        };
        let (first, last) = (
            states_by_history[0],
            states_by_history[states_by_history.len() - 1],
        );
        let statement = format!(
            "no finite machine was found: the states grow from {} at L = {} to {} at L = {}, \
             {law}ly ({}, r^2 = {r_squared:.3})",
            first.1,
            first.0,
            last.1,
            last.0,
            if law == "exponential" {
                format!("about {prefactor:.3} x {rate:.3}^L")
            } else {
                format!("about {prefactor:.3} x L^{rate:.3}")
            }
        );
        Some(Growth {
            law,
            rate,
            prefactor,
            r_squared,
            statement,
        })
    }
}

/// A machine reconstructed from counts, with its diagnostics.
#[derive(Debug, Clone)]
pub struct Reconstruction {
    /// The epsilon-machine: unifilar and minimal, its states the heaviest recurrent class found.
    pub machine: Hmm,
    /// What the reconstruction found besides the machine.
    pub diagnostics: Diagnostics,
}

fn check_alphabet(table: &CountTable, alphabet: &[String]) -> Result<()> {
    if alphabet.len() != table.alphabet_size() {
        return Err(CmechError::InvalidArgument(format!(
            "{} symbol names given for a table of {} symbols",
            alphabet.len(),
            table.alphabet_size()
        )));
    }
    Ok(())
}

/// Complexity and entropy rate of a unifilar machine.
fn machine_measures(machine: &Hmm) -> Result<(f64, f64)> {
    let pi = machine.stationary_distribution()?;
    let c_mu = info::entropy(pi.iter().copied());
    let h_mu: f64 = (0..machine.num_states())
        .map(|s| pi[s] * info::entropy(machine.edges(s).iter().map(|e| e.p)))
        .sum();
    Ok((c_mu, h_mu))
}

/// Reconstructs the epsilon-machine of the process whose word counts are in `table` with the
/// given method, history length and test, exactly as asked. `alphabet` names the table's
/// symbols. The machine is minimised and scored on all the data; one that cannot produce the data
/// or covers only part of its histories comes with a warning. [`select`] chooses the options.
pub fn reconstruct(
    table: &CountTable,
    alphabet: Vec<String>,
    opts: &ReconstructOptions,
) -> Result<Reconstruction> {
    check_alphabet(table, &alphabet)?;
    let (fit, states_by_history) = fit_with_history(table, opts, 1)?;
    // Scored on the words the options need, not on however far the counts go: the same data give
    // the same answer from any count of them.
    let counts = WordTables::new(table, opts.window(table.alphabet_size()), 1)?;
    let machine = fit.machine(alphabet).minimize()?;
    let data = score::ScoreData::new(table.alphabet_size(), &counts.by_len, table.end_words())?;
    let (score, _) = score::score_counts(&machine, &data)?;
    let (c_mu, h_mu) = machine_measures(&machine)?;
    let h_est = estimated_entropy_rate(&counts);
    let mut diagnostics = Diagnostics::new(opts, table, &fit, states_by_history, c_mu, h_mu, h_est);
    diagnostics.recurrent_states = machine.num_states();
    diagnostics.scored(&score);
    if score.impossible > 0 {
        diagnostics.warnings.push(format!(
            "the machine gives probability zero to {} of the {} symbols of the data: it cannot \
             have produced them (its log-likelihood is minus infinity); without --method, -L and \
             --alpha cmech selects a machine that can",
            score.impossible, score.symbols
        ));
    } else if opts.method == Method::Cssr && fit.recurrent_mass < 0.99 {
        // The forward method's unsynchronised histories are mixtures that lead into the machine,
        // not a part of the data it leaves out.
        diagnostics.warnings.push(format!(
            "the machine's states hold only {:.1}% of the histories of length {}; the rest \
             were transient or unsynchronised, and the machine may describe only part of the \
             data",
            100.0 * fit.recurrent_mass,
            opts.max_history
        ));
    }
    Ok(Reconstruction {
        machine,
        diagnostics,
    })
}

/// Reconstructs the epsilon-machine with no options to tune: both methods at every history length
/// the data support, each machine minimised and scored by BIC on all the data, the smallest of the
/// best chosen (docs/reconstruction.md explains the method). The diagnostics list every
/// candidate's score.
pub fn select(
    table: &CountTable,
    alphabet: Vec<String>,
    opts: &SelectOptions,
) -> Result<Reconstruction> {
    check_alphabet(table, &alphabet)?;
    let select::Outcome {
        scored,
        chosen,
        forward_states,
        entropy_rate: h_est,
    } = select::candidates(table, &alphabet, opts)?;
    let pick = &scored[chosen];
    let machine = pick
        .machine
        .clone()
        .expect("a chosen candidate has a machine");
    let score = pick.score.expect("a chosen candidate has a score");
    let c = &pick.candidate;
    let (c_mu, h_mu) = machine_measures(&machine)?;
    let n = table.symbols();
    let method = c.method.unwrap_or(Method::Cssr);
    let states_by_history = match c.method {
        Some(Method::Cssr) => scored
            .iter()
            // The fits as the method gave them: a refined machine is no fit at its L.
            .filter(|s| s.candidate.method == Some(Method::Cssr) && s.candidate.refined.is_none())
            .map(|s| (s.candidate.max_history, s.candidate.states))
            .collect(),
        _ => forward_states,
    };
    let half = states_by_history
        .get(states_by_history.len().saturating_sub(1) / 2)
        .map_or(0, |x| x.1);
    let still_growing =
        states_by_history.len() >= 4 && states_by_history.last().is_some_and(|&(_, s)| s > half);
    let reason = match c.method {
        None => format!(
            "no structure beyond the symbols' frequencies: {n} symbols support no machine that \
             predicts better by more than its {} extra parameters cost (BIC)",
            scored
                .iter()
                .filter(|s| s.candidate.score.is_finite() && s.candidate.method.is_some())
                .map(|s| s.candidate.parameters)
                .min()
                .unwrap_or(0)
                .saturating_sub(c.parameters)
        ),
        Some(m) => format!(
            "{} at L = {}{}: the smallest machine within {TIE_BITS} bits of the best BIC among {} \
             candidates",
            m.name(),
            c.max_history,
            c.refined.map_or_else(String::new, |r| format!(
                ", refined by likelihood ({})",
                r.summary()
            )),
            scored.len()
        ),
    };
    let supported = supported_history(n, h_est);
    let growth = still_growing
        .then(|| Growth::fit(&states_by_history))
        .flatten();
    let mut warnings = Vec::new();
    if let Some(g) = &growth {
        warnings.push(g.statement.clone());
    } else if still_growing {
        warnings.push(format!(
            "the number of states keeps growing with the history length ({}): the process may \
             have no finite epsilon-machine",
            states_by_history
                .iter()
                .map(|(l, s)| format!("L={l}: {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut diagnostics = Diagnostics {
        method,
        max_history: c.max_history,
        alpha: c.alpha,
        test: Test::ChiSquare,
        symbols: n,
        sequences: table.sequences(),
        states_total: machine.num_states(),
        recurrent_states: machine.num_states(),
        transient_states: 0,
        recurrent_mass: 1.0,
        c_mu,
        h_mu,
        log_likelihood: score.log_likelihood,
        log_loss: None,
        impossible: 0,
        states_by_history,
        still_growing,
        growth,
        entropy_rate_estimate: h_est,
        supported_history: supported,
        selection: Some(Selection {
            criterion: "bic",
            chosen,
            candidates: scored.into_iter().map(|s| s.candidate).collect(),
            reason,
        }),
        warnings,
    };
    diagnostics.scored(&score);
    Ok(Reconstruction {
        machine,
        diagnostics,
    })
}

/// The fit at the maximum history length and the number of states at every length up to it,
/// for counts whose next-symbol vectors are made of `blocks` blocks (one per input symbol of a
/// transducer; 1 for a process).
fn fit_with_history(
    table: &CountTable,
    opts: &ReconstructOptions,
    blocks: usize,
) -> Result<(Fit, Vec<(usize, usize)>)> {
    opts.validate()?;
    let k = table.alphabet_size();
    if opts.window(k) > table.window() {
        return Err(CmechError::InvalidArgument(format!(
            "max history {} with method {} needs words of {} symbols but the counts go up to {}",
            opts.max_history,
            opts.method.name(),
            opts.window(k),
            table.window()
        )));
    }
    if table.symbols() == 0 {
        return Err(CmechError::InvalidArgument(
            "no symbols were counted".into(),
        ));
    }
    let counts = WordTables::new(table, opts.window(k), blocks)?;
    if counts.total(opts.max_history) == 0 {
        return Err(CmechError::InvalidArgument(format!(
            "no sequence is longer than the maximum history {}: nothing to learn transitions from",
            opts.max_history
        )));
    }
    // Past the Marton-Shields bound the longest histories are seen about once each, and the
    // result rests on shorter ones (a warning says so); twice past it nothing is left to test.
    let n = table.symbols();
    let h = estimated_entropy_rate(&counts);
    if let Some(bound) = supported_history(n, h).filter(|&b| opts.max_history > 2 * b) {
        return Err(CmechError::InvalidArgument(format!(
            "{n} symbols do not support histories of length {}: Marton-Shields gives L <= \
             log2 N / h = {bound} at an estimated entropy rate of {h:.3}, and histories over \
             twice that long are all seen once or never; use a maximum history length of at \
             most {bound}",
            opts.max_history
        )));
    }
    let fit = opts.fit(&counts, opts.max_history)?;
    let states_by_history: Vec<(usize, usize)> = (1..=opts.max_history)
        .map(|l| {
            if l == opts.max_history {
                Ok((l, fit.class.len()))
            } else {
                opts.fit(&counts, l).map(|f| (l, f.class.len()))
            }
        })
        .collect::<Result<_>>()?;
    Ok((fit, states_by_history))
}

impl Diagnostics {
    /// The diagnostics of `fit`, whose machine has complexity `c_mu` and entropy rate `h_mu`,
    /// on histories of entropy rate `h_histories` (which bounds the history length supported).
    fn new(
        opts: &ReconstructOptions,
        table: &CountTable,
        fit: &Fit,
        states_by_history: Vec<(usize, usize)>,
        c_mu: f64,
        h_mu: f64,
        h_histories: f64,
    ) -> Diagnostics {
        let n = table.symbols();
        let supported_history = supported_history(n, h_histories);
        // Growth over the upper half of the history lengths: a finite machine has stopped
        // changing there once L is twice the length it needs, while period doubling (whose
        // counts double at ever wider intervals of L) still shows.
        let half = states_by_history[(opts.max_history - 1) / 2].1;
        let still_growing = opts.max_history >= 4 && fit.class.len() > half;
        let mut warnings = Vec::new();
        if let Some(bound) = supported_history {
            if opts.max_history > bound {
                warnings.push(format!(
                    "max history {} exceeds what {n} symbols support at entropy rate {h_histories:.3} \
                     (Marton-Shields: L <= log2 N / h = {bound}); long-history statistics are \
                     unreliable",
                    opts.max_history
                ));
            }
        }
        if still_growing {
            warnings.push(format!(
                "the number of states keeps growing with the history length ({}): the process \
                 may have no finite epsilon-machine, or need longer histories than L = {}",
                states_by_history
                    .iter()
                    .map(|(l, s)| format!("L={l}: {s}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                opts.max_history
            ));
        }
        Diagnostics {
            method: opts.method,
            max_history: opts.max_history,
            alpha: opts.alpha,
            test: opts.test,
            symbols: n,
            sequences: table.sequences(),
            states_total: fit.states_total,
            recurrent_states: fit.class.len(),
            transient_states: fit.states_total - fit.class.len(),
            recurrent_mass: fit.recurrent_mass,
            c_mu,
            h_mu,
            log_likelihood: fit.log_likelihood,
            log_loss: None,
            impossible: 0,
            growth: still_growing
                .then(|| Growth::fit(&states_by_history))
                .flatten(),
            states_by_history,
            still_growing,
            entropy_rate_estimate: h_histories,
            supported_history,
            selection: None,
            warnings,
        }
    }

    /// Takes the log-likelihood from a score of the machine on all the data.
    fn scored(&mut self, score: &Score) {
        self.log_likelihood = score.log_likelihood;
        self.log_loss = Some(score.log_loss());
        self.impossible = score.impossible;
    }
}

/// Counts of words of every length up to a window, by length.
struct WordTables {
    k: usize,
    /// Blocks of the next-symbol vectors (see [`homogeneity`]).
    blocks: usize,
    /// `by_len[n - 1]` holds the words of length n.
    by_len: Vec<WordCounts>,
}

impl WordTables {
    fn new(table: &CountTable, window: usize, blocks: usize) -> Result<WordTables> {
        Ok(WordTables {
            k: table.alphabet_size(),
            blocks,
            by_len: table.counts_from(1)?.into_iter().take(window).collect(),
        })
    }

    /// Counts of each future of length `f` after a history, futures in code order.
    fn future(&self, (len, code): History, f: usize) -> Vec<u64> {
        let width = (self.k as u64).pow(f as u32);
        let words = &self.by_len[len + f - 1];
        (0..width).map(|w| words.get(code * width + w)).collect()
    }

    /// Occurrences of histories of length `l` followed by a symbol.
    fn total(&self, l: usize) -> u64 {
        self.by_len[l].total()
    }
}

/// A fitted partition of histories and the transitions between its classes.
struct Fit {
    edges: Vec<Vec<Edge>>,
    /// Occurrences of each state's maximal histories, by block of next symbols (by input).
    block_mass: Vec<Vec<u64>>,
    /// The kept recurrent class, in state order.
    class: Vec<usize>,
    states_total: usize,
    recurrent_mass: f64,
    log_likelihood: f64,
}

impl Fit {
    /// Re-estimates the transition probabilities of the kept machine by maximum likelihood for its
    /// structure: each maximal history is read through the machine from every state, and when all
    /// the readings that survive end in one state (the history synchronises), its next-symbol counts
    /// go to that state. Grouping by short futures can place histories of two similar states
    /// together; the machine's own transitions place them where they belong.
    fn refit_by_filtering(
        mut self,
        histories: impl Iterator<Item = History>,
        counts: &WordTables,
    ) -> Fit {
        let k = counts.k;
        let step = |s: usize, x: usize| self.edges[s].iter().find(|e| e.symbol == x).map(|e| e.to);
        let mut tallies: HashMap<usize, Vec<u64>> = HashMap::default();
        let mut total = 0u64;
        for (len, code) in histories {
            let next = counts.future((len, code), 1);
            total += next.iter().sum::<u64>();
            let mut at: Vec<usize> = self.class.clone();
            for i in (0..len).rev() {
                let x = ((code / (k as u64).pow(i as u32)) % k as u64) as usize;
                at = at.iter().filter_map(|&s| step(s, x)).collect();
                at.sort_unstable();
                at.dedup();
                if at.len() <= 1 {
                    // Once one reading is left it stays one (unifilar), or the history is foreign.
                    if let Some(&s) = at.first() {
                        let rest: Option<usize> = (0..i).rev().try_fold(s, |s, j| {
                            step(s, ((code / (k as u64).pow(j as u32)) % k as u64) as usize)
                        });
                        at = rest.into_iter().collect();
                    }
                    break;
                }
            }
            if let [s] = at[..] {
                let t = tallies.entry(s).or_insert_with(|| vec![0; k]);
                for (x, y) in t.iter_mut().zip(&next) {
                    *x += y;
                }
            }
        }
        let mut assigned = 0u64;
        let mut log_likelihood = 0.0;
        for &s in &self.class {
            let Some(t) = tallies.get(&s) else { continue };
            // Only symbols the structure allows count; the rest are data the machine cannot emit.
            let allowed: u64 = self.edges[s].iter().map(|e| t[e.symbol]).sum();
            assigned += allowed;
            // A state whose synchronised histories never took one of its edges keeps the grouped
            // estimate, so that no edge, and no part of the recurrent class, is lost.
            if self.edges[s].iter().any(|e| t[e.symbol] == 0) {
                continue;
            }
            self.block_mass[s] = vec![allowed];
            for e in self.edges[s].iter_mut() {
                e.p = t[e.symbol] as f64 / allowed as f64;
                log_likelihood += t[e.symbol] as f64 * e.p.log2();
            }
        }
        self.log_likelihood = log_likelihood;
        self.recurrent_mass = assigned as f64 / total.max(1) as f64;
        self
    }

    fn machine(&self, alphabet: Vec<String>) -> Hmm {
        let n = self.edges.len();
        Hmm::from_parts(
            "reconstructed".into(),
            alphabet,
            (0..n).map(|s| format!("S{s}")).collect(),
            self.edges.clone(),
        )
        .restrict(&self.class)
    }
}

/// CSSR with history length `l_max`, as the original program (Shalizi & Klinkner's CSSR 0.1.1)
/// runs it:
///
/// - Homogenisation, one history length at a time: a history joins its parent's state (the
///   state of the history without its oldest symbol) if the test accepts it there, else the first
///   other state, in order of creation, that accepts it; if none does, it founds a new state and
///   its parent and the parent's suffixes leave their states (they are not homogeneous any more).
///   States keep the counts of every history that ever joined them.
/// - Only histories of lengths L - 1 and L are kept.
/// - Transient states are dropped before determinisation: those outside the closed classes of the
///   graph whose edges go from each history of length L - 1 to the state of it extended by a
///   symbol (from its histories of length L, shortened first, for a state without histories of
///   length L - 1). Shortening loses what a long history knew, so those edges are trusted only
///   where nothing better exists; this is what keeps the mixtures of unsynchronised histories (all
///   1s in the even process) out of the machine.
/// - Determinisation: a state whose histories lead, on one symbol, to different states splits by
///   successor, the first history's successor keeping the state; a successor that was never seen
///   or was dropped constrains nothing. Repeated until no state splits.
///
/// Transition probabilities are those of the state's histories of length L (of L - 1 for a
/// state with none of length L).
fn cssr(counts: &WordTables, l_max: usize, opts: &ReconstructOptions) -> Result<Fit> {
    let k = counts.k as u64;
    let next = |h: History| counts.future(h, 1);
    let tester = Tester::new(opts.test, opts.alpha, 1.0, counts.blocks);
    let root: History = (0, 0);
    let mut pooled: Vec<Vec<u64>> = vec![next(root)];
    let mut members: Vec<usize> = vec![1];
    let mut state_of: HashMap<History, usize> = [(root, 0)].into_iter().collect();

    // Homogenisation, over every history of each length that occurs.
    for l in 1..=l_max {
        let mut histories: Vec<u64> = counts.by_len[l].iter().map(|(code, _)| code / k).collect();
        histories.dedup();
        for code in histories {
            let child: History = (l, code);
            let c = next(child);
            let parent: History = (l - 1, code % k.pow(l as u32 - 1));
            let parent_state = state_of.get(&parent).copied();
            let accepts = |t: usize| tester.holds(&c, &pooled[t]);
            let target = match parent_state {
                Some(t) if accepts(t) => t,
                _ => match (0..pooled.len()).find(|&t| members[t] > 0 && accepts(t)) {
                    Some(t) => t,
                    None => {
                        // The parent and its suffixes, up to the first already gone, are not
                        // homogeneous any more: they leave their states.
                        let mut gone = parent;
                        while let Some(t) = state_of.remove(&gone) {
                            members[t] -= 1;
                            for (x, y) in pooled[t].iter_mut().zip(next(gone)) {
                                *x -= y;
                            }
                            if gone.0 <= 1 {
                                break;
                            }
                            gone = (gone.0 - 1, gone.1 % k.pow(gone.0 as u32 - 1));
                        }
                        pooled.push(vec![0; c.len()]);
                        members.push(0);
                        pooled.len() - 1
                    }
                },
            };
            members[target] += 1;
            for (x, y) in pooled[target].iter_mut().zip(&c) {
                *x += y;
            }
            state_of.insert(child, target);
        }
    }
    let shortest = l_max - 1;
    state_of.retain(|h, _| h.0 >= shortest);

    // The state a history leads to on a symbol: that of its extension, shortened to L.
    let lead = k.pow(l_max as u32);
    // As in the original, whether `h b` itself occurred does not matter: a history of length L
    // that was never followed by b still leads, on b, to the state of its suffix extended by b.
    let successor = |state_of: &HashMap<History, usize>, (_, code): History, b: u64| {
        state_of.get(&(l_max, (code * k + b) % lead)).copied()
    };
    let members_of = |state_of: &HashMap<History, usize>, states: usize| {
        let mut lists: Vec<Vec<History>> = vec![Vec::new(); states];
        for (&h, &s) in state_of {
            lists[s].push(h);
        }
        lists.iter_mut().for_each(|l| l.sort_unstable());
        lists
    };

    // Transient states.
    let lists = members_of(&state_of, pooled.len());
    let adjacency: Vec<Vec<usize>> = lists
        .iter()
        .map(|hs| {
            let trusted = if hs.iter().any(|h| h.0 == shortest) {
                shortest
            } else {
                l_max
            };
            hs.iter()
                .filter(|h| h.0 == trusted)
                .flat_map(|&h| (0..k).map(move |b| (h, b)))
                .filter_map(|(h, b)| successor(&state_of, h, b))
                .collect()
        })
        .collect();
    let mut recurrent = vec![false; pooled.len()];
    for class in graph::closed_components(&adjacency) {
        if class.iter().all(|&s| !lists[s].is_empty()) {
            class.into_iter().for_each(|s| recurrent[s] = true);
        }
    }
    state_of.retain(|_, s| recurrent[*s]);

    // Determinisation, by a worklist: a split changes the successors only of the histories that
    // lead into the moved ones, so only their states are looked at again.
    let mut lists = members_of(&state_of, pooled.len());
    let mut queue: std::collections::VecDeque<usize> = (0..lists.len()).collect();
    let mut queued = vec![true; lists.len()];
    while let Some(s) = queue.pop_front() {
        queued[s] = false;
        for b in 0..k {
            let mut pilot = None;
            let mut moving: Vec<(usize, Vec<History>)> = Vec::new();
            for &h in &lists[s] {
                let Some(to) = successor(&state_of, h, b) else {
                    continue;
                };
                match pilot {
                    None => pilot = Some(to),
                    Some(p) if p == to => {}
                    Some(_) => match moving.iter_mut().find(|m| m.0 == to) {
                        Some(m) => m.1.push(h),
                        None => moving.push((to, vec![h])),
                    },
                }
            }
            if moving.is_empty() {
                continue;
            }
            let mut touched = vec![s];
            for (_, group) in moving {
                let id = lists.len();
                for &h in &group {
                    state_of.insert(h, id);
                    if h.0 == l_max {
                        // Who leads into h: h without its last symbol, as a history of length
                        // L - 1 or preceded by any symbol.
                        let stem = h.1 / k;
                        let preds = (0..k).map(|x| (l_max, x * lead / k + stem));
                        touched.extend(
                            preds
                                .chain([(shortest, stem)])
                                .filter_map(|p| state_of.get(&p).copied()),
                        );
                    }
                }
                lists.push(group);
                queued.push(false);
                touched.push(id);
            }
            lists[s].retain(|h| state_of[h] == s);
            for t in touched {
                if !queued[t] {
                    queued[t] = true;
                    queue.push_back(t);
                }
            }
            break;
        }
    }
    let states = lists.len();

    // Live states numbered in order of creation.
    let all = lists;
    let live: Vec<usize> = (0..states).filter(|&s| !all[s].is_empty()).collect();
    let mut number = vec![usize::MAX; states];
    live.iter().enumerate().for_each(|(i, &s)| number[s] = i);
    let weighed: Vec<Vec<History>> = live
        .iter()
        .map(|&s| {
            let len = if all[s].iter().any(|h| h.0 == l_max) {
                l_max
            } else {
                shortest
            };
            all[s].iter().copied().filter(|h| h.0 == len).collect()
        })
        .collect();
    // Any member's successor serves: after determinisation they agree.
    let to = |h: History, b: u64| {
        all[state_of[&h]]
            .iter()
            .find_map(|&m| successor(&state_of, m, b))
            .map(|t| number[t])
    };
    Graph::of(&weighed, counts, to).fit(counts.total(l_max))
}

/// Histories seen fewer times carry too little evidence for the forward method to place them.
pub const MIN_OCCURRENCES: u64 = 5;

/// The forward method with history length `l_max` and future length `f`.
///
/// CSSR's determinisation takes the successor of `h` on `b` to be the state of `h b` without its
/// oldest symbol. On a process of infinite Markov order that symbol can be what synchronised the
/// observer (for Even, the successor of 0111 on 1 is 1111, whose parity is unknown); CSSR's
/// transient rule saves Even, whose unsynchronised histories form one transient state, but not
/// RRXOR, where they lead back and forth among states that keep splitting. Here the maximal histories are first grouped by the distribution of
/// their next `f` symbols, heaviest first, so that the groups stand for causal states and for the
/// mixtures that unsynchronised histories form. A successor `h b` goes to the group of `h b`
/// shortened if its own futures fit that group's, and otherwise to the group they fit best. Groups
/// whose histories disagree with the group's weighted majority on where a symbol leads are split
/// (Moore's refinement, robust to the few histories whose short futures mislead), until stable.
/// States of the machine are the final groups; its recurrent part excludes the mixtures, which
/// only lead into it.
fn forward(counts: &WordTables, l_max: usize, f: usize, opts: &ReconstructOptions) -> Result<Fit> {
    let k = counts.k as u64;
    let lead = k.pow(l_max as u32);
    let width = k.pow(f as u32) as usize;
    let mut nodes: Vec<(History, u64)> = counts.by_len[l_max]
        .iter()
        .map(|(code, _)| (l_max, code / k))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|h| (h, counts.future(h, 1).iter().sum::<u64>()))
        .filter(|&(_, m)| m >= MIN_OCCURRENCES)
        .collect();
    if nodes.is_empty() {
        return Err(CmechError::InvalidArgument(format!(
            "no history of length {l_max} occurs {MIN_OCCURRENCES} times: the data are too short \
             for this history length"
        )));
    }
    nodes.sort_by_key(|&(h, m)| (std::cmp::Reverse(m), h));
    let index: HashMap<History, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, &(h, _))| (h, i))
        .collect();
    let futures: Vec<Vec<u64>> = nodes.iter().map(|&(h, _)| counts.future(h, f)).collect();
    let nexts: Vec<Vec<u64>> = nodes.iter().map(|&(h, _)| counts.future(h, 1)).collect();
    let tester = Tester::new(opts.test, opts.alpha, f as f64, 1);

    // Groups by futures. The histories that false rejections would split off are those that look
    // different in these very counts: only a difference surviving a Bonferroni correction over all
    // histories founds a group.
    let founding = Tester::new(
        opts.test,
        opts.alpha / nodes.len().max(1) as f64,
        f as f64,
        1,
    );
    let mut group = vec![0usize; nodes.len()];
    let mut pooled: Vec<Vec<u64>> = Vec::new();
    for (i, fut) in futures.iter().enumerate() {
        let best = (0..pooled.len())
            .filter_map(|g| founding.accepts(fut, &pooled[g]).map(|p| (g, p)))
            .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)));
        group[i] = match best {
            Some((g, _)) => g,
            None => {
                pooled.push(vec![0; width]);
                pooled.len() - 1
            }
        };
        for (x, y) in pooled[group[i]].iter_mut().zip(fut) {
            *x += y;
        }
    }

    // Successors of each history, then refinement, until no group splits.
    let own: Vec<Vec<Vec<u64>>> = nodes
        .iter()
        .map(|&((_, code), _)| {
            (0..k)
                .map(|b| counts.future((l_max + 1, code * k + b), f))
                .collect()
        })
        .collect();
    loop {
        let groups = group.iter().max().map_or(0, |&g| g + 1);
        let mut pooled = vec![vec![0u64; width]; groups];
        for (i, fut) in futures.iter().enumerate() {
            for (x, y) in pooled[group[i]].iter_mut().zip(fut) {
                *x += y;
            }
        }
        let mut targets: Vec<Vec<Option<usize>>> = (0..nodes.len())
            .map(|i| {
                (0..k as usize)
                    .map(|b| {
                        if nexts[i][b] == 0 {
                            return None;
                        }
                        let code = (nodes[i].0 .1 * k + b as u64) % lead;
                        let shortened = index.get(&(l_max, code)).map(|&j| group[j]);
                        let fut = &own[i][b];
                        if fut.iter().sum::<u64>() == 0
                            || shortened.is_some_and(|g| tester.holds(fut, &pooled[g]))
                        {
                            return shortened;
                        }
                        (0..groups)
                            .filter(|&g| pooled[g].iter().any(|&c| c > 0))
                            .filter_map(|g| tester.accepts(fut, &pooled[g]).map(|p| (g, p)))
                            .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)))
                            .map(|(g, _)| g)
                            .or(shortened)
                    })
                    .collect()
            })
            .collect();
        let mut votes: Vec<Vec<HashMap<Option<usize>, u64>>> =
            vec![vec![HashMap::default(); k as usize]; groups];
        for i in 0..nodes.len() {
            for b in 0..k as usize {
                if nexts[i][b] > 0 {
                    *votes[group[i]][b].entry(targets[i][b]).or_insert(0) += nexts[i][b];
                }
            }
        }
        let majority: Vec<Vec<Option<usize>>> = votes
            .iter()
            .map(|per_symbol| {
                per_symbol
                    .iter()
                    .map(|v| {
                        v.iter()
                            .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
                            .and_then(|(&to, _)| to)
                    })
                    .collect()
            })
            .collect();
        let mut fresh: HashMap<(usize, Vec<Option<usize>>), usize> = HashMap::default();
        let mut next_group = groups;
        let mut changed = false;
        for i in 0..nodes.len() {
            let g = group[i];
            // A history leaves its group only on evidence: its successor's futures must not fit
            // where the group's majority goes. With few counts, most histories carry none.
            let agrees = (0..k as usize).all(|b| {
                nexts[i][b] == 0
                    || targets[i][b] == majority[g][b]
                    || majority[g][b].is_some_and(|m| tester.holds(&own[i][b], &pooled[m]))
            });
            if agrees {
                for b in 0..k as usize {
                    if nexts[i][b] > 0 {
                        targets[i][b] = majority[g][b];
                    }
                }
            }
            if !agrees {
                let key = (g, targets[i].clone());
                group[i] = *fresh.entry(key).or_insert_with(|| {
                    next_group += 1;
                    next_group - 1
                });
                changed = true;
            }
        }
        if !changed {
            // Number the groups that kept members consecutively.
            let mut renumber: HashMap<usize, usize> = HashMap::default();
            let mut members: Vec<Vec<History>> = Vec::new();
            for (i, &(h, _)) in nodes.iter().enumerate() {
                let id = *renumber.entry(group[i]).or_insert_with(|| {
                    members.push(Vec::new());
                    members.len() - 1
                });
                members[id].push(h);
            }
            let target = |h: History, b: u64| targets[index[&h]][b as usize].map(|g| renumber[&g]);
            let fit = Graph::of(&members, counts, target).fit(counts.total(l_max))?;
            return Ok(fit.refit_by_filtering(nodes.iter().map(|&(h, _)| h), counts));
        }
    }
}

/// What [`Graph::fit`] says when no state closes a class; [`ReconstructOptions::fit`] turns it into
/// a message about the history length.
const NO_RECURRENT_STATE: &str = "no recurrent state was found";

/// States as, per symbol, the count and successor of their maximal histories' transitions (no
/// successor where the successor history was never seen as a maximal one).
struct Graph {
    moves: Vec<Vec<(u64, Option<usize>)>>,
    blocks: usize,
}

impl Graph {
    /// The graph of states given as sets of maximal histories.
    fn of(
        members: &[Vec<History>],
        counts: &WordTables,
        successor: impl Fn(History, u64) -> Option<usize>,
    ) -> Graph {
        let moves = members
            .iter()
            .map(|hs| {
                let mut by_symbol: Vec<(u64, Option<usize>)> = vec![(0, None); counts.k];
                for &h in hs {
                    for (b, c) in counts.future(h, 1).into_iter().enumerate() {
                        if c > 0 {
                            by_symbol[b].0 += c;
                            by_symbol[b].1 = successor(h, b as u64);
                        }
                    }
                }
                by_symbol
            })
            .collect();
        Graph {
            moves,
            blocks: counts.blocks,
        }
    }

    fn mass(&self, s: usize) -> u64 {
        self.moves[s].iter().map(|m| m.0).sum()
    }

    /// The machine: edges weighted by counts, the heaviest closed class kept, and the data's
    /// log-likelihood under it.
    fn fit(&self, histories: u64) -> Result<Fit> {
        let n = self.moves.len();
        // A state none of whose observed symbols leads anywhere (its successors were transient
        // histories, dropped) is a dead end; so is one that leads only into dead ends. They go,
        // with the moves into them, as the original's last pass over connected components
        // removes them, and the rest is renormalised.
        let mut moves = self.moves.clone();
        loop {
            let dead: Vec<bool> = moves
                .iter()
                .map(|m| m.iter().all(|&(c, to)| c == 0 || to.is_none()))
                .collect();
            let mut changed = false;
            for m in moves.iter_mut() {
                for e in m.iter_mut() {
                    if e.1.is_some_and(|t| dead[t]) {
                        e.1 = None;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let block_mass: Vec<Vec<u64>> = moves
            .iter()
            .map(|by_symbol| {
                let width = by_symbol.len() / self.blocks;
                by_symbol
                    .chunks_exact(width)
                    .map(|block| block.iter().filter(|e| e.1.is_some()).map(|e| e.0).sum())
                    .collect()
            })
            .collect();
        let edges: Vec<Vec<Edge>> = moves
            .iter()
            .zip(&block_mass)
            .map(|(by_symbol, totals)| {
                // Probabilities are conditional on the block (a transducer's input).
                let width = by_symbol.len() / self.blocks;
                by_symbol
                    .iter()
                    .enumerate()
                    .filter_map(|(b, &(c, to))| {
                        to.map(|to| Edge {
                            symbol: b,
                            to,
                            p: c as f64 / totals[b / width] as f64,
                        })
                    })
                    .collect()
            })
            .collect();
        let adjacency: Vec<Vec<usize>> = edges
            .iter()
            .map(|r| r.iter().map(|e| e.to).collect())
            .collect();
        let class = graph::closed_components(&adjacency)
            .into_iter()
            .filter(|c| c.iter().all(|&s| !edges[s].is_empty()))
            .max_by_key(|c| c.iter().map(|&s| self.mass(s)).sum::<u64>())
            .ok_or_else(|| CmechError::Unsupported(NO_RECURRENT_STATE.into()))?;
        let class_mass: u64 = class.iter().map(|&s| self.mass(s)).sum();
        let log_likelihood = class
            .iter()
            .flat_map(|&s| edges[s].iter().map(move |e| (s, e)))
            .map(|(s, e)| moves[s][e.symbol].0 as f64 * e.p.log2())
            .sum();
        Ok(Fit {
            edges,
            block_mass,
            class,
            states_total: n,
            recurrent_mass: class_mass as f64 / histories.max(1) as f64,
            log_likelihood,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_windows_are_checked_in_words() {
        let bad = |o: ReconstructOptions| o.validate().unwrap_err().to_string();
        let d = ReconstructOptions::default();
        assert!(d.validate().is_ok());
        let e = bad(ReconstructOptions {
            max_history: 0,
            ..d
        });
        assert!(
            e.contains("maximum history length must be at least 1"),
            "{e}"
        );
        let e = bad(ReconstructOptions { alpha: 1.5, ..d });
        assert!(e.contains("significance level 1.5 is not in (0, 1)"), "{e}");
        let e = bad(ReconstructOptions {
            future: Some(0),
            ..d
        });
        assert!(e.contains("future length must be at least 1"), "{e}");
        assert!(CountWindow::Fixed(1).validate().is_err());
        assert_eq!(CountWindow::Fixed(7).length(2), 7);
        assert_eq!(CountWindow::Fixed(7).max_history(2), None);
        let forward = ReconstructOptions {
            method: Method::Forward,
            max_history: 4,
            ..d
        };
        let forward = CountWindow::For(Plan::Fixed(forward));
        assert_eq!(forward.length(2), 4 + 1 + 3);
        assert_eq!(forward.max_history(2), Some(4));
    }
}
