//! Held-out prediction: how well a reconstructed machine predicts data it was not fitted on, side
//! by side with smoothed fixed-order Markov chains fitted to the same training data.
//!
//! On real data there is no true machine to compare with; what a user can check is prediction.
//! The test data are scored as the selection scores any counted data: each symbol predicted
//! from at most the scored context before it, the machine started from its stationary
//! distribution, so the machine and the chains see the same symbols with the same history.
//!
//! A fitted machine gives probability zero to what its training data never showed, and one such
//! symbol in the test data would make its log-loss infinite; a Markov chain has the same problem,
//! and is smoothed. Both are smoothed here, so that the comparison is between structures, not
//! between smoothing and none:
//!
//! - **the machine**, each state's next-symbol counts `n_s p(x|s)` (`n_s` its expected visits
//!   along the training data) smoothed by either rule the chains use: the Krichevsky-Trofimov
//!   pseudo-count, or Witten-Bell interpolation with the training data's symbol frequencies. A
//!   symbol the state had no edge for leads to the states that symbol enters in the stationary
//!   machine, in proportion (all states, by their stationary probabilities, when no state emits
//!   it): the observer loses its certainty and resynchronises. How many test symbols needed this
//!   is reported.
//! - **each chain** by the additive rule on its contexts, or by Witten-Bell interpolation with
//!   the chain one order lower, the stronger on text.
//!
//! Every order the training counts allow is tried; the best chain, and the machine's better
//! smoothing, are those with the lowest held-out log-loss, which favours the chains (their order,
//! as well as their smoothing, is chosen on the test data itself).
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::counts::{CountTable, WordCounts};
use crate::error::{CmechError, Result};
use crate::presentation::{Edge, Hmm};

use super::score::{parameters, prediction_log_probs, score_counts, ScoreData};

/// The Krichevsky-Trofimov pseudo-count added to every symbol of every state or context.
pub const PSEUDO_COUNT: f64 = 0.5;

/// A predictor's held-out log-loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldOutScore {
    /// What predicted, and its smoothing: `machine additive`, `machine witten-bell`,
    /// `markov-<order> additive` or `markov-<order> witten-bell`.
    pub predictor: String,
    /// The chain's order (`None`: the machine).
    pub order: Option<usize>,
    /// States: the machine's, or the chain's contexts seen in the training data.
    pub states: usize,
    /// Free probabilities.
    pub parameters: usize,
    /// Minus the log2-likelihood of the test data per symbol, smoothed.
    pub log_loss: f64,
    /// The log-loss's standard error, from the spread of the per-symbol losses as if the
    /// symbols were independent (see [`HeldOut::advantage_standard_error`]).
    pub standard_error: f64,
}

/// The machine and the Markov chains on held-out data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldOut {
    /// Symbols of the training data.
    pub train_symbols: u64,
    /// Symbols of the test data scored.
    pub test_symbols: u64,
    /// The most symbols a prediction was conditioned on.
    pub context: usize,
    /// The machine, smoothed.
    pub machine: HeldOutScore,
    /// Test symbols the machine as fitted gives probability zero (scored through the smoothing).
    pub machine_impossible: u64,
    /// Every chain, by order then smoothing.
    pub markov: Vec<HeldOutScore>,
    /// Index in `markov` of the chain with the lowest log-loss.
    pub best_markov: usize,
    /// The machine's log-loss less the best chain's, bits per symbol (negative: the machine
    /// predicts better).
    pub advantage: f64,
    /// The standard error of `advantage`: of the mean of the per-symbol differences of the two
    /// predictors' losses, as if the test symbols were independent. Neighbouring symbols of a
    /// dependent series are not, so it is a floor on the uncertainty; a difference within two
    /// of it is no evidence either way.
    pub advantage_standard_error: f64,
    /// The comparison in words.
    pub verdict: String,
}

/// The most word codes the held-out counts span (`k^window`): a longer context than the training
/// counts', so that the machine, which carries its state along, is not cut to a chain's memory.
const TEST_CODES: f64 = (1u64 << 20) as f64;

/// The window to count held-out data of `k` symbols at, for training counts of `train_window`:
/// the longest within 2^20 word codes (20 for binary data, 10 for four symbols), and never
/// shorter than the training's.
pub fn test_window(k: usize, train_window: usize) -> usize {
    let k = k.max(2) as f64;
    let longest = (TEST_CODES.log2() / k.log2()).floor() as usize;
    longest.max(train_window).max(2)
}

/// Scores `machine` (fitted on `train`) and the smoothed Markov chains of every order the
/// training counts allow on the held-out counts `test` (counted at [`test_window`], or any
/// window). Both tables must have the machine's alphabet. The machine predicts each test symbol
/// from the test's scored context; a chain from at most its order.
pub fn hold_out(machine: &Hmm, train: &CountTable, test: &CountTable) -> Result<HeldOut> {
    let k = machine.num_symbols();
    for (what, t) in [("training", train), ("test", test)] {
        if t.alphabet_size() != k {
            return Err(CmechError::InvalidArgument(format!(
                "the {what} counts have {} symbols, the machine {k}",
                t.alphabet_size()
            )));
        }
    }
    if test.symbols() == 0 {
        return Err(CmechError::InvalidArgument(
            "the held-out data have no symbols to predict".into(),
        ));
    }
    let train_words = train.counts_from(1)?;
    let test_words = test.counts_from(1)?;
    let train_data = ScoreData::new(k, &train_words, train.end_words())?;
    let test_data = ScoreData::new(k, &test_words, test.end_words())?;

    let (_, tallies) = score_counts(machine, &train_data)?;
    let visits: Vec<f64> = tallies.edges.iter().map(|row| row.iter().sum()).collect();
    let (fitted, _) = score_counts(machine, &test_data)?;
    let unigram = Chain::new(&train_words, k, 0);
    // Each prediction's count, in the order every predictor's losses are listed.
    let mut weights = Vec::new();
    test_data.visit(|_, _, c| weights.push(c as f64));
    let mut machine_best: Option<(HeldOutScore, Vec<f64>)> = None;
    for smoothing in [Smoothing::Additive, Smoothing::WittenBell] {
        let (score, log_probs) = prediction_log_probs(
            &smoothed(machine, &visits, smoothing, &unigram)?,
            &test_data,
        )?;
        let losses: Vec<f64> = log_probs.iter().map(|l| -l).collect();
        if machine_best
            .as_ref()
            .is_none_or(|(m, _)| score.log_loss() < m.log_loss)
        {
            machine_best = Some((
                HeldOutScore {
                    predictor: format!("machine {}", smoothing.name()),
                    order: None,
                    states: machine.num_states(),
                    parameters: parameters(machine),
                    log_loss: score.log_loss(),
                    standard_error: mean_and_error(&losses, &weights).1,
                },
                losses,
            ));
        }
    }
    let (machine_score, machine_losses) = machine_best.expect("two smoothings tried");
    let test_symbols = weights.iter().sum::<f64>() as u64;

    let context = test_data.context();
    let mut markov = Vec::new();
    // Each chain's standard error of its difference with the machine.
    let mut against = Vec::new();
    for order in 0..=context.min(train.window() - 1) {
        let chain = Chain::new(&train_words, k, order);
        for smoothing in [Smoothing::Additive, Smoothing::WittenBell] {
            let mut losses = Vec::with_capacity(weights.len());
            test_data.visit(|before, x, _| {
                let m = order.min(before.len());
                losses.push(
                    -chain
                        .probability(&before[before.len() - m..], x, smoothing)
                        .log2(),
                );
            });
            let (log_loss, standard_error) = mean_and_error(&losses, &weights);
            let differences: Vec<f64> = machine_losses
                .iter()
                .zip(&losses)
                .map(|(a, b)| a - b)
                .collect();
            against.push(mean_and_error(&differences, &weights).1);
            markov.push(HeldOutScore {
                predictor: format!("markov-{order} {}", smoothing.name()),
                order: Some(order),
                states: chain.contexts(order),
                parameters: chain.contexts(order) * (k - 1),
                log_loss,
                standard_error,
            });
        }
    }
    let best_markov = (0..markov.len())
        .min_by(|&a, &b| markov[a].log_loss.total_cmp(&markov[b].log_loss))
        .expect("order 0 is always tried");
    let advantage = machine_score.log_loss - markov[best_markov].log_loss;
    let advantage_standard_error = against[best_markov];
    let verdict = format!(
        "the machine ({} states) predicts the {} held-out symbols at {:.4} bits/symbol, the best \
         smoothed Markov chain ({}) at {:.4}: {} (standard error {:.4}{})",
        machine_score.states,
        test_symbols,
        machine_score.log_loss,
        markov[best_markov].predictor,
        markov[best_markov].log_loss,
        if advantage <= 0.0 {
            format!("the machine is better by {:.4}", -advantage)
        } else {
            format!("the chain is better by {advantage:.4}")
        },
        advantage_standard_error,
        if advantage.abs() <= 2.0 * advantage_standard_error {
            ": within two standard errors, no evidence either way"
        } else {
            ""
        }
    );
    Ok(HeldOut {
        train_symbols: train.symbols(),
        test_symbols,
        context,
        machine: machine_score,
        machine_impossible: fitted.impossible,
        markov,
        best_markov,
        advantage,
        advantage_standard_error,
        verdict,
    })
}

/// The weighted mean of `values` and its standard error, the values taken as independent draws
/// (`weights[i]` draws of `values[i]`).
fn mean_and_error(values: &[f64], weights: &[f64]) -> (f64, f64) {
    let n: f64 = weights.iter().sum();
    if n <= 0.0 {
        return (0.0, 0.0);
    }
    let mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / n;
    if n <= 1.0 {
        return (mean, 0.0);
    }
    let spread = values
        .iter()
        .zip(weights)
        .map(|(v, w)| w * (v - mean).powi(2))
        .sum::<f64>()
        / (n - 1.0);
    (mean, (spread / n).sqrt())
}

/// `machine` with every state's probabilities smoothed over `visits[s]` expected visits by
/// `smoothing` (Witten-Bell towards the `unigram` chain's symbol probabilities), and the symbols
/// a state had no edge for sent where they enter the stationary machine.
fn smoothed(
    machine: &Hmm,
    visits: &[f64],
    smoothing: Smoothing,
    unigram: &Chain<'_>,
) -> Result<Hmm> {
    let n = machine.num_states();
    let pi = machine.stationary_distribution()?;
    // Where each symbol leads, from the stationary distribution.
    let mut enters = vec![vec![0.0; n]; machine.num_symbols()];
    for (s, &w) in pi.iter().enumerate() {
        for e in machine.edges(s) {
            enters[e.symbol][e.to] += w * e.p;
        }
    }
    for row in &mut enters {
        let total: f64 = row.iter().sum();
        if total > 0.0 {
            row.iter_mut().for_each(|v| *v /= total);
        } else {
            row.copy_from_slice(&pi);
        }
    }
    let edges =
        (0..n)
            .map(|s| {
                let seen: Vec<f64> = (0..machine.num_symbols())
                    .map(|x| visits[s] * machine.emission(s, x))
                    .collect();
                let distinct = seen.iter().filter(|&&c| c > 0.0).count() as f64;
                let mut row = Vec::new();
                for (x, enter) in enters.iter().enumerate() {
                    let p = machine.emission(s, x);
                    let lower = || unigram.probability(&[], x, Smoothing::Additive);
                    let q = smoothing.rule(seen[x], visits[s], distinct, seen.len(), lower);
                    if p > 0.0 {
                        row.extend(machine.edges(s).iter().filter(|e| e.symbol == x).map(|e| {
                            Edge {
                                p: q * e.p / p,
                                ..*e
                            }
                        }));
                    } else {
                        row.extend(enter.iter().enumerate().filter(|(_, &w)| w > 0.0).map(
                            |(to, &w)| Edge {
                                symbol: x,
                                to,
                                p: q * w,
                            },
                        ));
                    }
                }
                row
            })
            .collect();
    Ok(Hmm::from_parts(
        machine.name().to_string(),
        machine.alphabet().to_vec(),
        machine.states().to_vec(),
        edges,
    ))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Smoothing {
    /// The Krichevsky-Trofimov pseudo-count on each context.
    Additive,
    /// Interpolation with the next lower order, weighted by the symbols seen after the context.
    WittenBell,
}

impl Smoothing {
    fn name(self) -> &'static str {
        match self {
            Smoothing::Additive => "additive",
            Smoothing::WittenBell => "witten-bell",
        }
    }

    /// The probability of a symbol seen `seen` times among `total` after a context (a state or
    /// a chain's context) after which `distinct` of the `k` symbols were seen; `lower` is the
    /// next lower model's probability of the symbol, which Witten-Bell interpolates with.
    fn rule(
        self,
        seen: f64,
        total: f64,
        distinct: f64,
        k: usize,
        lower: impl FnOnce() -> f64,
    ) -> f64 {
        match self {
            Smoothing::Additive => (seen + PSEUDO_COUNT) / (total + k as f64 * PSEUDO_COUNT),
            Smoothing::WittenBell if total <= 0.0 => lower(),
            Smoothing::WittenBell => (seen + distinct * lower()) / (total + distinct),
        }
    }
}

/// A fixed-order Markov chain's training counts, every order up to its own.
struct Chain<'a> {
    k: usize,
    /// `words[m]`: counts of the words of length m + 1 (a context of m symbols and the next).
    words: &'a [WordCounts],
    /// For each order m, each context's (occurrences followed by a symbol, distinct symbols after).
    contexts: Vec<FxHashMap<u64, (u64, u64)>>,
}

impl<'a> Chain<'a> {
    fn new(words: &'a [WordCounts], k: usize, order: usize) -> Chain<'a> {
        let contexts = (0..=order)
            .map(|m| {
                let mut map: FxHashMap<u64, (u64, u64)> = FxHashMap::default();
                for (code, c) in words[m].iter() {
                    let e = map.entry(code / k as u64).or_default();
                    e.0 += c;
                    e.1 += 1;
                }
                map
            })
            .collect();
        Chain { k, words, contexts }
    }

    /// Contexts of `order` symbols seen in the training data.
    fn contexts(&self, order: usize) -> usize {
        self.contexts[order].len()
    }

    /// The probability of `x` after `context` (its length is the order used).
    fn probability(&self, context: &[usize], x: usize, smoothing: Smoothing) -> f64 {
        let m = context.len();
        let code = context
            .iter()
            .fold(0u64, |c, &s| c * self.k as u64 + s as u64);
        let (total, distinct) = self.contexts[m].get(&code).copied().unwrap_or((0, 0));
        let seen = self.words[m].get(code * self.k as u64 + x as u64) as f64;
        let lower = || {
            if m == 0 {
                1.0 / self.k as f64
            } else {
                self.probability(&context[1..], x, smoothing)
            }
        };
        smoothing.rule(seen, total as f64, distinct as f64, self.k, lower)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::named::named;

    fn table(symbols: &[u32], k: usize, window: usize) -> CountTable {
        let mut t = CountTable::new(k, window).unwrap();
        t.add_sequence(symbols).unwrap();
        t
    }

    fn sample(machine: &Hmm, n: usize, seed: u64) -> Vec<u32> {
        let s = machine.sample(n, seed).unwrap();
        s.into_iter().map(|x| x as u32).collect()
    }

    #[test]
    fn a_true_machine_beats_every_chain_where_no_finite_order_is_enough() {
        // The even process has no finite Markov order: a chain of order m cannot tell an even run
        // of 1s of length m from an odd one, while the machine can.
        let even = named("even", &[]).unwrap();
        let train = sample(&even, 200_000, 1);
        let test = sample(&even, 50_000, 2);
        let window = test_window(2, 8);
        assert_eq!(window, 20);
        let h = hold_out(&even, &table(&train, 2, 8), &table(&test, 2, window)).unwrap();
        assert_eq!(h.context, 19);
        assert_eq!(h.machine_impossible, 0);
        // h_mu = 2/3 bits: 19 symbols of context synchronise the machine on all but runs of 1s
        // longer than that.
        assert!((h.machine.log_loss - 2.0 / 3.0).abs() < 0.01, "{h:?}");
        // The order-7 chain cannot tell the parity of a run of 1s longer than 7.
        assert!(h.advantage < -0.01, "{}", h.verdict);
        assert_eq!(h.markov.len(), 16);
    }

    #[test]
    fn a_chain_of_the_right_order_matches_the_machine() {
        // The golden mean is a first-order chain: the machine and the order-1 chain predict alike.
        let gm = named("golden-mean", &[]).unwrap();
        let train = sample(&gm, 100_000, 3);
        let test = sample(&gm, 50_000, 4);
        let h = hold_out(&gm, &table(&train, 2, 6), &table(&test, 2, 6)).unwrap();
        assert!(h.advantage.abs() < 0.002, "{}", h.verdict);
        let order1 = h
            .markov
            .iter()
            .find(|m| m.predictor == "markov-1 additive")
            .unwrap();
        assert!((order1.log_loss - h.machine.log_loss).abs() < 0.002);
        assert_eq!(order1.states, 2);
        // Each symbol costs 1 bit from the state that may emit either (2/3 of the time) and
        // nothing from the other: a variance of 2/9, so a standard error of sqrt(2/9 / 50000).
        let expected = (2.0 / 9.0 / 50_000.0f64).sqrt();
        let se = h.machine.standard_error;
        assert!(
            (se - expected).abs() < 0.05 * expected,
            "{se} against {expected}"
        );
        // The machine and the best chain lose alike on each symbol: their difference is far
        // surer than either.
        assert!(h.advantage_standard_error < 0.2 * se, "{h:?}");
    }

    #[test]
    fn each_prediction_adds_up_to_the_score() {
        let even = named("even", &[]).unwrap();
        let t = table(&sample(&even, 20_000, 5), 2, 10);
        let words = t.counts_from(1).unwrap();
        let data = ScoreData::new(2, &words, t.end_words()).unwrap();
        let (score, each) = prediction_log_probs(&even, &data).unwrap();
        let mut weights = Vec::new();
        data.visit(|_, _, c| weights.push(c as f64));
        assert_eq!(each.len(), weights.len());
        let total: f64 = each.iter().zip(&weights).map(|(l, w)| l * w).sum();
        assert!((total - score.log_likelihood).abs() < 1e-6 * score.log_likelihood.abs());
        assert_eq!(weights.iter().sum::<f64>() as u64, score.symbols);
    }

    #[test]
    fn the_standard_error_is_that_of_a_weighted_mean() {
        // Values 1 (once) and 3 (three times): mean 2.5, sample variance 1, four draws.
        let (mean, se) = mean_and_error(&[1.0, 3.0], &[1.0, 3.0]);
        assert!((mean - 2.5).abs() < 1e-12);
        assert!((se - 0.5).abs() < 1e-12, "{se}");
        assert_eq!(mean_and_error(&[], &[]), (0.0, 0.0));
    }

    #[test]
    fn a_symbol_the_machine_never_saw_is_smoothed_not_infinite() {
        // Trained on a period-2 alternation, tested on data with a repeat: the fitted machine
        // cannot produce "00", the smoothed one gives it a small probability and resynchronises.
        let train: Vec<u32> = (0..1000).map(|i| i % 2).collect();
        let mut test: Vec<u32> = (0..100).map(|i| i % 2).collect();
        test[50] = test[49];
        let period = named("period", &[("word", "01")]).unwrap();
        let h = hold_out(&period, &table(&train, 2, 4), &table(&test, 2, 4)).unwrap();
        assert!(h.machine_impossible > 0);
        assert!(h.machine.log_loss.is_finite() && h.machine.log_loss > 0.0);
        // The additive rule over 500 visits to each state: each repeat costs log2(1001) bits.
        let sane = (1001f64).log2() * 3.0 / 100.0 + 0.1;
        assert!(h.machine.log_loss < sane, "{}", h.verdict);
    }

    #[test]
    fn witten_bell_backs_off_to_lower_orders() {
        let words = vec![
            WordCounts::Dense(vec![3, 1]),
            WordCounts::Dense(vec![2, 1, 1, 0]),
        ];
        let chain = Chain::new(&words, 2, 1);
        // Order 0: (3 + 2 * 1/2) / (4 + 2) = 2/3 for symbol 0.
        let p0 = chain.probability(&[], 0, Smoothing::WittenBell);
        assert!((p0 - 2.0 / 3.0).abs() < 1e-12);
        // After 1: one occurrence, followed by 0; (1 + 1 * 2/3) / (1 + 1) = 5/6.
        let p = chain.probability(&[1], 0, Smoothing::WittenBell);
        assert!((p - 5.0 / 6.0).abs() < 1e-12);
        let sum: f64 = (0..2)
            .map(|x| chain.probability(&[0], x, Smoothing::WittenBell))
            .sum();
        assert!((sum - 1.0).abs() < 1e-12);
        let sum: f64 = (0..2)
            .map(|x| chain.probability(&[0], x, Smoothing::Additive))
            .sum();
        assert!((sum - 1.0).abs() < 1e-12);
    }
}
