//! Measures known in closed form for families of presentations that have no finite
//! epsilon-machine, where the general methods can only approach them.
//!
//! [`known_forms`] recognises a family from the structure of a presentation (its states, symbols
//! and probabilities, not its name, so a presentation read from a file is recognised as well as a
//! named one) and returns what theory gives for it. A new family is one more recogniser in
//! [`known_forms`]; each documents its derivation and its conditions, and recognises only
//! parameters at which the epsilon-machine is infinite: [`crate::measures()`] then measures the
//! presentation as one without a finite epsilon-machine (approached values) and takes these
//! forms over, instead of trusting a finite machine that snapping nearly certain and identifying
//! nearly equal beliefs may make the mixed states close on.
//!
//! # The simple nonunifilar source (SNS)
//!
//! `A -y|p-> A, A -y|1-p-> B, B -y|q-> B, B -x|1-q-> A` with 0 < p, q < 1 (cmech's `sns`, with
//! y = 1 and x = 0; Crutchfield, Physica D 75, 11 (1994); Marzen & Crutchfield, PRE 95, 051301
//! (2017)). It is a renewal process: x is emitted only on B -> A, so after an x the state is A for
//! certain, and every past with an x in it is summarised by n, the number of y since the last x.
//! The belief after `x y^n` is `e_A T_y^n` normalised, with
//!
//! ```text
//! e_A T_y^n = (a_n, b_n),  a_n = p^n,  b_n = (1-p) sum_{j<n} p^j q^(n-1-j)
//! ```
//!
//! and `w_n = a_n + b_n = Pr(y^n | A)`. Its weight on A, `alpha_n = a_n / w_n`, obeys
//! `alpha' = p alpha / (q + (1-q) alpha)`, an increasing map whose fixed point `(p-q)/(1-q)` lies
//! below `alpha_0 = 1`, so alpha_n strictly decreases: the beliefs are pairwise distinct, and as A
//! and B predict differently (only B can emit x), so are the predictions. The causal states are
//! therefore the counts n = 0, 1, 2, ..., infinitely many, and the count n is the state exactly
//! when the last n + 1 symbols are `x y^n`:
//!
//! ```text
//! pi_n = Pr(x y^n) = pi_B (1-q) w_n = w_n / mu,   mu = sum_n w_n = 1/(1-p) + 1/(1-q)
//! ```
//!
//! (mu is the mean time between two x: a geometric sojourn in A, then one in B). For p = q = 1/2,
//! `pi_n = (n+1) / 2^(n+2)` and C_mu = 2.7114687... bits.
//!
//! `C_mu = -sum_n pi_n log2 pi_n` is summed term by term (compensated summation) until the rest of
//! the series is provably below 1e-17 bits: with `tau_N = sum_{n>=N} pi_n`, known in closed form as
//! `(a_N/(1-p) + w_N/(1-q)) / mu`, and `rho_N = w_(N+1)/w_N`, which bounds every later ratio
//! `w_(n+1)/w_n = q + (1-q) alpha_n` because alpha decreases, the tail, given that it is reached,
//! is stochastically below a geometric law of ratio rho_N, so its entropy is at most that of a
//! geometric law of mean `m = rho_N/(1-rho_N)`, `g(m) = (m+1) log2(m+1) - m log2 m`, and
//!
//! ```text
//! -sum_{n>=N} pi_n log2 pi_n <= tau_N log2(1/tau_N) + tau_N g(m).
//! ```
//!
//! Every count n >= L still leaves the state uncertain after the word y^L, which has positive
//! probability for every L, so the Markov order is infinite.

use crate::measures::{Order, Quantity, Status};
use crate::presentation::Hmm;

/// What theory gives for a recognised family.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownForms {
    /// The family, in words, with its parameters.
    pub family: String,
    /// Statistical complexity C_mu.
    pub statistical_complexity: Quantity,
    /// Markov order, when theory fixes it.
    pub markov_order: Option<Order>,
}

/// The closed forms of the family `hmm` belongs to, if a known one.
pub fn known_forms(hmm: &Hmm) -> Option<KnownForms> {
    let (p, q) = sns_parameters(hmm)?;
    let c = sns_statistical_complexity(p, q);
    let method = format!(
        "exact series: the causal states of the simple nonunifilar source (p = {p}, q = {q}) are the \
         counts n of 1s since the last 0, with pi_n = w_n / (1/(1-p) + 1/(1-q)), \
         w_n = Pr(1^n | A) = p^n + (1-p) sum_j<n p^j q^(n-1-j); -sum pi_n log2 pi_n over \
         n < {} with the rest of the series bounded by {:.1e} bits",
        c.terms, c.tail_bound
    );
    let statistical_complexity = if c.tail_bound <= SNS_TAIL {
        Quantity::exact(c.value, method)
    } else {
        Quantity {
            bounds: Some([c.value, c.value + c.tail_bound]),
            ..Quantity::approached(c.value, c.terms, c.last_term, method)
        }
    };
    Some(KnownForms {
        family: format!("simple nonunifilar source (p = {p}, q = {q})"),
        statistical_complexity,
        markov_order: Some(Order {
            value: None,
            status: Status::Infinite,
            method: "the causal states are the counts of 1s since the last 0 (simple nonunifilar \
                     source): after 1^L, of positive probability for every L, the count is still \
                     uncertain"
                .into(),
        }),
    })
}

/// The series is summed until what is left of it is below this many bits.
pub const SNS_TAIL: f64 = 1e-17;

/// At most this many terms are summed; beyond, the value is reported as approached, with bounds.
pub const SNS_MAX_TERMS: usize = 10_000_000;

/// `(p, q)` when `hmm` is the simple nonunifilar source `A -y|p-> A, A -y|1-p-> B, B -y|q-> B,
/// B -x|1-q-> A` (up to the names and order of its states and symbols) with 0 < p, q < 1.
pub fn sns_parameters(hmm: &Hmm) -> Option<(f64, f64)> {
    if hmm.num_states() != 2 {
        return None;
    }
    let edges = |i: usize| -> Vec<(usize, usize, f64)> {
        hmm.edges(i)
            .iter()
            .filter(|e| e.p > 0.0)
            .map(|e| (e.symbol, e.to, e.p))
            .collect()
    };
    for (a, b) in [(0, 1), (1, 0)] {
        let (from_a, from_b) = (edges(a), edges(b));
        if from_a.len() != 2 || from_b.len() != 2 {
            continue;
        }
        let find =
            |list: &[(usize, usize, f64)], to: usize| list.iter().find(|e| e.1 == to).copied();
        let (Some(aa), Some(ab), Some(bb), Some(ba)) = (
            find(&from_a, a),
            find(&from_a, b),
            find(&from_b, b),
            find(&from_b, a),
        ) else {
            continue;
        };
        let y = aa.0;
        if ab.0 != y || bb.0 != y || ba.0 == y {
            continue;
        }
        let (p, q) = (aa.2, bb.2);
        if p > 0.0 && p < 1.0 && q > 0.0 && q < 1.0 {
            return Some((p, q));
        }
    }
    None
}

/// C_mu of the simple nonunifilar source as summed, with how far the sum went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesSum {
    /// -sum_{n < terms} pi_n log2 pi_n, in bits.
    pub value: f64,
    /// Number of causal states (counts) summed over.
    pub terms: usize,
    /// The last term added.
    pub last_term: f64,
    /// Upper bound on the rest of the series, in bits.
    pub tail_bound: f64,
}

/// The stationary probabilities pi_0, pi_1, ... of the causal states (counts of 1s since the last
/// 0) of the simple nonunifilar source with 0 < p, q < 1; the iterator never ends (the
/// probabilities underflow to 0 eventually).
pub fn sns_causal_state_distribution(p: f64, q: f64) -> impl Iterator<Item = f64> {
    let mu = 1.0 / (1.0 - p) + 1.0 / (1.0 - q);
    let (mut a, mut b) = (1.0_f64, 0.0_f64);
    std::iter::from_fn(move || {
        let w = a + b;
        (a, b) = (a * p, a * (1.0 - p) + b * q);
        Some(w / mu)
    })
}

/// -sum pi_n log2 pi_n over the causal states of the simple nonunifilar source (0 < p, q < 1),
/// summed until the rest is below [`SNS_TAIL`] or [`SNS_MAX_TERMS`] terms were added; see the
/// module's documentation for the derivation and the bound on the rest.
pub fn sns_statistical_complexity(p: f64, q: f64) -> SeriesSum {
    assert!(
        p > 0.0 && p < 1.0 && q > 0.0 && q < 1.0,
        "SNS needs 0 < p, q < 1"
    );
    let mu = 1.0 / (1.0 - p) + 1.0 / (1.0 - q);
    // (a_n, b_n) = e_A T_1^n; w_n = a_n + b_n.
    let (mut a, mut b) = (1.0_f64, 0.0_f64);
    let (mut sum, mut carry) = (0.0_f64, 0.0_f64);
    let mut last_term = 0.0;
    let mut tail_bound = f64::INFINITY;
    let mut n = 0;
    while n < SNS_MAX_TERMS {
        let w = a + b;
        let pi = w / mu;
        last_term = if pi > 0.0 { -pi * pi.log2() } else { 0.0 };
        // Neumaier's compensated sum.
        let t = sum + last_term;
        carry += if sum.abs() >= last_term.abs() {
            (sum - t) + last_term
        } else {
            (last_term - t) + sum
        };
        sum = t;
        (a, b) = (a * p, a * (1.0 - p) + b * q);
        n += 1;
        // The rest, from count n on.
        let w_next = a + b;
        let tau = (a / (1.0 - p) + w_next / (1.0 - q)) / mu;
        if tau <= 0.0 {
            tail_bound = 0.0;
            break;
        }
        let rho = ((a + b * q) / w_next).min(1.0);
        tail_bound = tau * (-tau.log2()).max(0.0) + tau * geometric_entropy(rho);
        if tail_bound <= SNS_TAIL {
            break;
        }
    }
    SeriesSum {
        value: sum + carry,
        terms: n,
        last_term,
        tail_bound,
    }
}

/// Entropy in bits of the geometric law on {0, 1, ...} with ratio `rho` (mean m = rho/(1-rho)):
/// (m+1) log2(m+1) - m log2 m, the most entropy of any law on {0, 1, ...} with mean at most m.
fn geometric_entropy(rho: f64) -> f64 {
    if rho <= 0.0 {
        return 0.0;
    }
    if rho >= 1.0 {
        return f64::INFINITY;
    }
    let m = rho / (1.0 - rho);
    (m + 1.0) * (m + 1.0).log2() - m * m.log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_symmetric_sns_has_the_published_complexity() {
        let c = sns_statistical_complexity(0.5, 0.5);
        assert!((c.value - 2.711_468_7).abs() < 5e-8, "{c:?}");
        assert!(c.tail_bound <= SNS_TAIL);
        // pi_n = (n+1) / 2^(n+2).
        for (n, pi) in sns_causal_state_distribution(0.5, 0.5).take(60).enumerate() {
            let want = (n + 1) as f64 / 2f64.powi(n as i32 + 2);
            assert!((pi - want).abs() <= 1e-16 * want, "{n}: {pi} vs {want}");
        }
    }

    #[test]
    fn the_distribution_sums_to_one() {
        for (p, q) in [(0.3, 0.8), (0.9, 0.2), (0.5, 0.5), (0.99, 0.97)] {
            let total: f64 = sns_causal_state_distribution(p, q).take(20_000).sum();
            assert!((total - 1.0).abs() < 1e-12, "{p} {q}: {total}");
        }
    }
}
