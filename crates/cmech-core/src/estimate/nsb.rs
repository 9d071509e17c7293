//! The NSB entropy estimator (Nemenman, Shafee & Bialek 2002, "Entropy and inference,
//! revisited", NIPS 14): the posterior mean of the entropy under a mixture of symmetric Dirichlet
//! priors Dir(beta) over all K possible outcomes, mixed with weight d xi / d beta, where
//! xi(beta) = psi(K beta + 1) - psi(beta + 1) is the prior mean entropy, so that the mixture is
//! nearly flat in the entropy. In nats:
//!
//! - evidence: p(n | beta) = Gamma(K beta) / Gamma(N + K beta) prod_i Gamma(n_i + beta) / Gamma(beta);
//! - posterior mean at beta: psi(N + K beta + 1) - sum_i (n_i + beta) / (N + K beta) psi(n_i + beta + 1);
//! - the estimate: the mean of the latter under p(n | beta) d xi / d beta.
//!
//! The integral is over ln beta on a grid: a coarse pass finds where the integrand lives, a fine
//! pass integrates it there (trapezoids), everything in logarithms so that K = 27^8 words or
//! N = 10^7 counts neither overflow nor lose the peak. Counts are grouped by value: the cost is
//! that of the distinct counts, not of the outcomes.

use statrs::function::gamma::{digamma, ln_gamma};

/// The lowest and highest ln beta considered: beyond them the integrand is negligible for any
/// counts a machine can hold (beta = e^-30 puts all the mass on the outcomes seen, e^30 is
/// uniform to double precision).
const LN_BETA: (f64, f64) = (-30.0, 30.0);
const COARSE: usize = 241;
const FINE: usize = 401;
/// The integrand is ignored where it is below its maximum by this factor (in nats): e^-40.
const DEPTH: f64 = 40.0;

/// The NSB estimate, in nats, of the entropy of a distribution over `possible` outcomes from
/// their `counts` (zeros allowed; outcomes never seen need not be listed).
pub(crate) fn entropy_nats(counts: &[u64], possible: f64) -> f64 {
    let mut groups: Vec<(u64, f64)> = Vec::new();
    let mut sorted: Vec<u64> = counts.iter().copied().filter(|&c| c > 0).collect();
    sorted.sort_unstable();
    for c in sorted {
        match groups.last_mut() {
            Some((v, m)) if *v == c => *m += 1.0,
            _ => groups.push((c, 1.0)),
        }
    }
    let seen: f64 = groups.iter().map(|g| g.1).sum();
    let n: f64 = groups.iter().map(|&(c, m)| c as f64 * m).sum();
    let k = possible.max(seen);
    if n == 0.0 || k <= 1.0 {
        return 0.0;
    }
    let post = Posterior { groups, seen, n, k };
    let at =
        |i: usize, lo: f64, hi: f64, points: usize| lo + (hi - lo) * i as f64 / (points - 1) as f64;
    let coarse: Vec<f64> = (0..COARSE)
        .map(|i| post.log_weight(at(i, LN_BETA.0, LN_BETA.1, COARSE)))
        .collect();
    let (peak, top) = coarse
        .iter()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, &w)| {
            if w > best.1 {
                (i, w)
            } else {
                best
            }
        });
    // The fine pass spans the coarse points within DEPTH of the top, one point wider each side.
    let mut first = peak;
    while first > 0 && coarse[first - 1] > top - DEPTH {
        first -= 1;
    }
    let mut last = peak;
    while last + 1 < COARSE && coarse[last + 1] > top - DEPTH {
        last += 1;
    }
    let lo = at(first.saturating_sub(1), LN_BETA.0, LN_BETA.1, COARSE);
    let hi = at((last + 1).min(COARSE - 1), LN_BETA.0, LN_BETA.1, COARSE);
    let (mut mass, mut mean) = (0.0, 0.0);
    for i in 0..FINE {
        let x = at(i, lo, hi, FINE);
        let end = if i == 0 || i == FINE - 1 { 0.5 } else { 1.0 };
        let w = end * (post.log_weight(x) - top).exp();
        if w > 0.0 {
            mass += w;
            mean += w * post.mean_entropy(x.exp());
        }
    }
    if mass > 0.0 {
        mean / mass
    } else {
        post.mean_entropy(at(peak, LN_BETA.0, LN_BETA.1, COARSE).exp())
    }
}

struct Posterior {
    /// (count, how many outcomes have it), counts > 0.
    groups: Vec<(u64, f64)>,
    seen: f64,
    n: f64,
    k: f64,
}

impl Posterior {
    /// ln of p(n | beta) (d xi / d beta) beta: the integrand over ln beta, up to a constant.
    fn log_weight(&self, ln_beta: f64) -> f64 {
        let b = ln_beta.exp();
        let kb = self.k * b;
        let mut ev = ln_gamma(kb) - ln_gamma(self.n + kb);
        for &(c, m) in &self.groups {
            ev += m * (ln_gamma(c as f64 + b) - ln_gamma(b));
        }
        let prior = self.k * trigamma(kb + 1.0) - trigamma(b + 1.0);
        if prior <= 0.0 || !ev.is_finite() {
            return f64::NEG_INFINITY;
        }
        ev + prior.ln() + ln_beta
    }

    /// The posterior mean entropy (nats) under Dir(beta).
    fn mean_entropy(&self, b: f64) -> f64 {
        let total = self.n + self.k * b;
        let mut s = 0.0;
        for &(c, m) in &self.groups {
            let a = c as f64 + b;
            s += m * a * digamma(a + 1.0);
        }
        s += (self.k - self.seen) * b * digamma(b + 1.0);
        digamma(total + 1.0) - s / total
    }
}

/// psi_1(x), the derivative of the digamma function, for x > 0: the recurrence
/// psi_1(x) = psi_1(x + 1) + 1 / x^2 up to x >= 12, then the asymptotic series (error below
/// 1e-13).
pub(crate) fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 12.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let z = 1.0 / (x * x);
    // 1/x + 1/(2x^2) + 1/(6x^3) - 1/(30x^5) + 1/(42x^7) - 1/(30x^9)
    acc + 1.0 / x + z / 2.0 + z / x * (1.0 / 6.0 - z * (1.0 / 30.0 - z * (1.0 / 42.0 - z / 30.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigamma_values() {
        // psi_1(1) = pi^2 / 6, psi_1(1/2) = pi^2 / 2, psi_1(10) from tables.
        let pi2 = std::f64::consts::PI.powi(2);
        assert!((trigamma(1.0) - pi2 / 6.0).abs() < 1e-13);
        assert!((trigamma(0.5) - pi2 / 2.0).abs() < 1e-12);
        assert!((trigamma(10.0) - 0.10516633568168575).abs() < 1e-13);
    }

    #[test]
    fn well_sampled_counts_give_nearly_the_plug_in_value() {
        // 10^6 draws spread evenly over 4 outcomes: NSB, like every estimator, gives ln 4.
        let h = entropy_nats(&[250_000; 4], 4.0);
        assert!((h - 4f64.ln()).abs() < 1e-5, "{h}");
        // A fair coin seen 500/500: within a hair of ln 2.
        let h = entropy_nats(&[500, 500], 2.0);
        assert!((h - 2f64.ln()).abs() < 1e-3, "{h}");
    }

    #[test]
    fn undersampled_counts_are_pulled_up_from_the_plug_in_value() {
        // 20 distinct outcomes seen once each among 2^20 possible: plug-in says ln 20 = 3.0; NSB
        // knows that so many singletons mean a much larger entropy.
        let h = entropy_nats(&[1; 20], (1u64 << 20) as f64);
        assert!(h > 20f64.ln() + 1.0, "{h}");
    }
}
