//! Recovery of known machines by the default reconstruction (model selection, no options): the
//! suite of issue 13's "How it is checked", shared by `tests/random_machines.rs` (a subset that
//! runs in `cargo test`) and `examples/random_machines.rs` (the whole study, and the machines as
//! JSON for `benches/random_machines.py`).
//!
//! A machine is recovered when the selected machine is isomorphic to the truth with every
//! probability within [`PROB_TOL`]; separately, its h_mu and C_mu are judged within [`H_TOL`]
//! and [`C_TOL`] bits of the exact values.
#![allow(dead_code)]

use std::time::Instant;

use cmech_core::counts::CountTable;
use cmech_core::presentation::Hmm;
use cmech_core::reconstruct::{parameters, select, Method, SelectOptions, Selection, TIE_BITS};

/// Probabilities of an isomorphic machine within this of the truth's.
pub const PROB_TOL: f64 = 0.02;
/// |h_mu error| at most this (bits per symbol).
pub const H_TOL: f64 = 0.01;
/// |C_mu error| at most this (bits).
pub const C_TOL: f64 = 0.05;
/// Smallest transition probability of the random machines.
pub const MIN_P: f64 = 0.06;
/// The recovery rate the issue asks for.
pub const GOAL: f64 = 0.95;

/// The random ensemble: (states, symbols, machine seed) for states 2 to 10, alphabets 2 to 4 and
/// machine seeds `seeds`.
pub fn ensemble(seeds: std::ops::RangeInclusive<u64>) -> Vec<(usize, usize, u64)> {
    let mut v = Vec::new();
    for states in 2..=10 {
        for symbols in 2..=4 {
            for seed in seeds.clone() {
                v.push((states, symbols, seed));
            }
        }
    }
    v
}

/// Samples for a random machine of `states` states: 10^6, 10^7 from 8 states on.
pub fn samples_for(states: usize) -> usize {
    if states >= 8 {
        10_000_000
    } else {
        1_000_000
    }
}

/// The seed of the data drawn from the machine of seed `machine_seed` (distinct from it, so the
/// machine's draw and its data are not the same stream).
pub fn data_seed(machine_seed: u64) -> u64 {
    1_000_003 + machine_seed
}

/// Samples of each named process.
pub const NAMED_SAMPLES: usize = 1_000_000;

/// Every named process with a finite epsilon-machine, with the parameters it is tried at.
pub const NAMED: &[(&str, &[(&str, &str)])] = &[
    ("biased-coin", &[]),
    ("biased-coin", &[("p", "0.3")]),
    ("golden-mean", &[]),
    ("even", &[]),
    ("rrxor", &[]),
    ("z1r", &[]),
    ("nemo", &[]),
    ("period", &[]),
    ("period", &[("word", "0001")]),
    ("period", &[("word", "01011")]),
    ("noisy-period", &[]),
    ("noisy-period", &[("word", "001")]),
];

/// A named process's label in the tables.
pub fn named_label(name: &str, params: &[(&str, &str)], seed: u64) -> String {
    let ps: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if ps.is_empty() {
        format!("{name} #{seed}")
    } else {
        format!("{name} {} #{seed}", ps.join(","))
    }
}

/// What the default reconstruction made of one sample.
pub struct Outcome {
    pub label: String,
    pub n: usize,
    pub true_states: usize,
    pub found_states: usize,
    pub exact: bool,
    pub h_true: f64,
    pub h_found: f64,
    pub c_true: f64,
    pub c_found: f64,
    /// Markov order of the truth (None: infinite or unknown).
    pub markov_order: Option<usize>,
    /// Smallest, over pairs of the truth's states, of the largest difference in the probability
    /// of a future word of up to [`GAP_WORDS`] symbols: how alike its two closest states predict.
    pub gap: f64,
    /// BIC (bits) of the true machine with its own probabilities, scored as the selection
    /// scores a candidate (see [`context_log_likelihood`]): a candidate of the true structure
    /// with maximum-likelihood probabilities scores at most this, so a chosen BIC above it
    /// (beyond the tie margin) means the true structure was never among the candidates.
    pub truth_bic: f64,
    /// The same on the whole sequence, every symbol predicted from everything before it.
    pub truth_bic_sequence: f64,
    /// The context of [`Outcome::truth_bic`]: symbols predicted from at most this many before.
    pub context: usize,
    pub selection: Option<Selection>,
    /// Whether the found machine has the true structure, whatever its probabilities.
    pub structure: bool,
    pub seconds: f64,
}

impl Outcome {
    pub fn h_ok(&self) -> bool {
        (self.h_found - self.h_true).abs() <= H_TOL
    }
    pub fn c_ok(&self) -> bool {
        (self.c_found - self.c_true).abs() <= C_TOL
    }
    pub fn chosen(&self) -> String {
        match &self.selection {
            Some(s) => {
                let c = &s.candidates[s.chosen];
                format!("{} L={}", method_name(c.method), c.max_history)
            }
            None => "-".into(),
        }
    }
    pub fn chosen_bic(&self) -> f64 {
        self.selection
            .as_ref()
            .map_or(f64::NAN, |s| s.candidates[s.chosen].score)
    }
}

fn method_name(m: Option<Method>) -> &'static str {
    m.map_or("iid", |m| m.name())
}

/// Future words up to this length define [`Outcome::gap`].
pub const GAP_WORDS: usize = 3;

/// `n` symbols of `h` from its stationary distribution.
pub fn sample(h: &Hmm, n: usize, seed: u64) -> Vec<u32> {
    h.sample(n, seed)
        .unwrap()
        .into_iter()
        .map(|x| x as u32)
        .collect()
}

/// The counts the default reconstruction reads: every word up to the selection's window.
pub fn default_counts(data: &[u32], k: usize) -> CountTable {
    let mut table = CountTable::new(k, SelectOptions::default().window(k)).unwrap();
    table.add_sequence(data).unwrap();
    table
}

/// Samples `n` symbols of `truth` with `seed`, reconstructs with no options and judges the result.
pub fn recover(label: &str, truth: &Hmm, n: usize, seed: u64) -> Outcome {
    let truth = truth.minimize().unwrap();
    let m = cmech_core::measures(&truth, &Default::default()).unwrap();
    let h_true = m.entropy_rate.value.expect("exact h_mu");
    let c_true = m.statistical_complexity.value.expect("exact C_mu");
    let data = sample(&truth, n, seed);
    let t0 = Instant::now();
    // What `cmech reconstruct data.txt` does: count up to the selection's window, select.
    let table = default_counts(&data, truth.num_symbols());
    let r = select(&table, truth.alphabet().to_vec(), &SelectOptions::default()).unwrap();
    let seconds = t0.elapsed().as_secs_f64();
    let penalty = 0.5 * parameters(&truth) as f64 * (data.len().max(2) as f64).log2();
    let (ll, context) = context_log_likelihood(&truth, &table, &data);
    Outcome {
        label: label.to_string(),
        n,
        true_states: truth.num_states(),
        found_states: r.machine.num_states(),
        exact: r.machine.is_isomorphic(&truth, PROB_TOL),
        h_true,
        h_found: r.diagnostics.h_mu,
        c_true,
        c_found: r.diagnostics.c_mu,
        markov_order: m.markov_order.value,
        gap: gap(&truth),
        truth_bic: penalty - ll,
        truth_bic_sequence: penalty - log_likelihood(&truth, &data),
        context,
        selection: r.diagnostics.selection,
        structure: r.machine.is_isomorphic(&truth, 1.0),
        seconds,
    }
}

/// log2 P(data) under `h` started from its stationary distribution (the forward algorithm; a
/// unifilar machine's belief becomes a point once it synchronises, which is then followed along
/// its edges).
pub fn log_likelihood(h: &Hmm, data: &[u32]) -> f64 {
    let n = h.num_states();
    let mut belief = h.stationary_distribution().unwrap();
    let mut point: Option<usize> = None;
    let mut ll = 0.0;
    for &x in data {
        let x = x as usize;
        if let Some(s) = point {
            match h.edges(s).iter().find(|e| e.symbol == x) {
                Some(e) => {
                    ll += e.p.log2();
                    point = Some(e.to);
                }
                None => return f64::NEG_INFINITY,
            }
            continue;
        }
        let mut next = vec![0.0; n];
        for (s, &b) in belief.iter().enumerate() {
            if b > 0.0 {
                for e in h.edges(s).iter().filter(|e| e.symbol == x) {
                    next[e.to] += b * e.p;
                }
            }
        }
        let total: f64 = next.iter().sum();
        if total <= 0.0 {
            return f64::NEG_INFINITY;
        }
        ll += total.log2();
        for v in next.iter_mut() {
            *v /= total;
        }
        let support: Vec<usize> = (0..n).filter(|&s| next[s] > 0.0).collect();
        if support.len() == 1 && h.is_unifilar() {
            point = Some(support[0]);
        }
        belief = next;
    }
    ll
}

/// The most distinct words of the scoring window (as in the selection's scoring).
pub const SCORE_WORDS: usize = 1 << 20;

/// log2 P(data) under `h` as the selection scores a machine on counts (the module documentation
/// of `reconstruct::score`): W is the longest word length up to the counts' window with at most
/// [`SCORE_WORDS`] distinct words, and each symbol is predicted from the belief after the W - 1
/// symbols before it (fewer at the start of the data), started from the stationary distribution.
/// Returns the log-likelihood and W - 1.
pub fn context_log_likelihood(h: &Hmm, table: &CountTable, data: &[u32]) -> (f64, usize) {
    let by_len = table.counts_from(1).unwrap();
    let window = (2..=by_len.len())
        .rev()
        .find(|&w| by_len[w - 1].iter().count() <= SCORE_WORDS)
        .unwrap_or(2);
    let k = h.num_symbols() as u64;
    let n = h.num_states();
    let pi = h.stationary_distribution().unwrap();
    let mut ll = 0.0;
    let mut word = vec![0usize; window];
    for (code, count) in by_len[window - 1].iter() {
        let mut c = code;
        for x in word.iter_mut().rev() {
            *x = (c % k) as usize;
            c /= k;
        }
        let mut belief = pi.clone();
        let mut p = 1.0;
        for (t, &x) in word.iter().enumerate() {
            let mut next = vec![0.0; n];
            for (s, &b) in belief.iter().enumerate() {
                if b > 0.0 {
                    for e in h.edges(s).iter().filter(|e| e.symbol == x) {
                        next[e.to] += b * e.p;
                    }
                }
            }
            let total: f64 = next.iter().sum();
            if t + 1 == window {
                p = total;
            } else if total > 0.0 {
                next.iter_mut().for_each(|v| *v /= total);
            } else {
                p = 0.0;
                break;
            }
            belief = next;
        }
        ll += count as f64 * p.log2();
    }
    // The first W - 1 symbols are the contexts of the first word, predicted along the data.
    ll += log_likelihood(h, &data[..(window - 1).min(data.len())]);
    (ll, window - 1)
}

/// See [`Outcome::gap`] (0 for one state: nothing to tell apart).
pub fn gap(h: &Hmm) -> f64 {
    let n = h.num_states();
    let words: Vec<Vec<f64>> = (0..n).map(|s| word_probabilities(h, s)).collect();
    let mut best = f64::INFINITY;
    for i in 0..n {
        for j in i + 1..n {
            let d = words[i]
                .iter()
                .zip(&words[j])
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            best = best.min(d);
        }
    }
    if best.is_finite() {
        best
    } else {
        0.0
    }
}

/// Probabilities from state `s` of every word of 1 to [`GAP_WORDS`] symbols, in a fixed order.
fn word_probabilities(h: &Hmm, s: usize) -> Vec<f64> {
    let k = h.num_symbols();
    let mut out = Vec::new();
    // Pr(word, state | s) for each word of the current length (summing to Pr(word | s)).
    let mut level: Vec<Vec<f64>> = vec![{
        let mut v = vec![0.0; h.num_states()];
        v[s] = 1.0;
        v
    }];
    for _ in 0..GAP_WORDS {
        let mut next = Vec::with_capacity(level.len() * k);
        for dist in &level {
            for x in 0..k {
                let mut d = vec![0.0; h.num_states()];
                for (t, &p) in dist.iter().enumerate() {
                    if p > 0.0 {
                        for e in h.edges(t).iter().filter(|e| e.symbol == x) {
                            d[e.to] += p * e.p;
                        }
                    }
                }
                out.push(d.iter().sum());
                next.push(d);
            }
        }
        level = next;
    }
    out
}

/// One row of the table per outcome, a summary, and for every machine not recovered the
/// candidates the selection scored.
pub fn report(title: &str, outcomes: &[Outcome]) {
    eprintln!("\n{title}");
    eprintln!(
        "(dh, dC: found less true, ! past {H_TOL} / {C_TOL}; R: the truth's Markov order; gap: \
         see Outcome::gap; truth BIC: the true machine scored as the candidates are, each symbol \
         from at most `ctx` symbols before it, and in brackets on the whole sequence)"
    );
    eprintln!(
        "{:<26} {:>5} {:>4} {:>5} {:>5} {:>7} {:>8} {:>6} {:>7} {:>3} {:>5} {:>12} {:>12} {:>12} {:>13} {:>3} {:>6}",
        "machine", "N", "true", "found", "exact", "h_mu", "dh", "C_mu", "dC", "R", "gap",
        "chosen", "chosen BIC", "truth BIC", "(sequence)", "ctx", "s"
    );
    for o in outcomes {
        let mark = |ok: bool| if ok { " " } else { "!" };
        eprintln!(
            "{:<26} {:>5.0e} {:>4} {:>5} {:>5} {:>7.4} {:>7.4}{} {:>6.3} {:>6.3}{} {:>3} {:>5.3} {:>12} {:>12.0} {:>12.0} {:>13} {:>3} {:>6.2}",
            o.label,
            o.n as f64,
            o.true_states,
            o.found_states,
            if o.exact { "yes" } else { "NO" },
            o.h_true,
            o.h_found - o.h_true,
            mark(o.h_ok()),
            o.c_true,
            o.c_found - o.c_true,
            mark(o.c_ok()),
            o.markov_order.map_or("inf".to_string(), |r| r.to_string()),
            o.gap,
            o.chosen(),
            o.chosen_bic(),
            o.truth_bic,
            format!("({:.0})", o.truth_bic_sequence),
            o.context,
            o.seconds
        );
    }
    let total = outcomes.len().max(1) as f64;
    let count = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let exact = count(&|o| o.exact);
    eprintln!(
        "recovered exactly: {exact} of {} ({:.1}%); h_mu within {H_TOL}: {}; C_mu within {C_TOL}: {}; \
         all three: {}; {:.0} s reconstructing",
        outcomes.len(),
        100.0 * exact as f64 / total,
        count(&|o| o.h_ok()),
        count(&|o| o.c_ok()),
        count(&|o| o.exact && o.h_ok() && o.c_ok()),
        outcomes.iter().map(|o| o.seconds).sum::<f64>(),
    );
    for o in outcomes.iter().filter(|o| !o.exact) {
        let verdict = if o.structure {
            "the true structure, probabilities off"
        } else if o.truth_bic + TIE_BITS < o.chosen_bic() {
            "the truth scores better: the true structure was not among the candidates"
        } else {
            "the chosen machine scores at least as well as the truth: the criterion prefers it"
        };
        eprintln!(
            "\n{} (truth {} states, found {}): truth BIC {:.1}, chosen {:.1}: {verdict}",
            o.label,
            o.true_states,
            o.found_states,
            o.truth_bic,
            o.chosen_bic()
        );
        if let Some(s) = &o.selection {
            candidates_table(s);
        }
    }
}

/// The selection's candidates, one a line, the chosen one marked.
pub fn candidates_table(s: &Selection) {
    eprintln!(
        "  {:<8} {:>3} {:>7} {:>7} {:>10} {:>14}",
        "method", "L", "states", "params", "log-loss", "BIC"
    );
    for (i, c) in s.candidates.iter().enumerate() {
        eprintln!(
            "  {:<8} {:>3} {:>7} {:>7} {:>10} {:>14.1}  {}{}{}",
            method_name(c.method),
            c.max_history,
            c.states,
            c.parameters,
            c.log_loss.map_or("-".to_string(), |l| format!("{l:.5}")),
            c.score,
            if i == s.chosen { "<- chosen" } else { "" },
            c.failure.as_deref().unwrap_or(""),
            c.refined.map_or(String::new(), |r| format!(
                "refined from {}: {} merged, {} split, {} redirected",
                r.from, r.merges, r.splits, r.redirects
            ))
        );
    }
    eprintln!("  {}", s.reason);
}

/// Share of outcomes recovered exactly.
pub fn rate(outcomes: &[Outcome]) -> f64 {
    outcomes.iter().filter(|o| o.exact).count() as f64 / outcomes.len().max(1) as f64
}
