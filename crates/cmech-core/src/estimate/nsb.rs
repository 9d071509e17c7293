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
//! The integral is over ln beta: a coarse pass and a golden-section search find the integrand's
//! peak, Simpson's rule integrates it there, everything in logarithms so that K = 27^8 words or
//! N = 10^7 counts neither overflow nor lose the peak. Counts are grouped by value: the cost is
//! that of the distinct counts, not of the outcomes.

use statrs::function::gamma::{digamma, ln_gamma};

/// The lowest and highest ln beta considered: beyond them the integrand is negligible for any
/// counts a machine can hold (beta = e^-30 puts all the mass on the outcomes seen, e^30 is
/// uniform to double precision).
const LN_BETA: (f64, f64) = (-30.0, 30.0);
/// Points of the coarse pass that finds the peak (one per unit of ln beta).
const COARSE: usize = 61;
/// Points of Simpson's rule over the peak (odd).
const FINE: usize = 41;
/// The integral spans this many widths of the peak on each side...
const WIDTHS: f64 = 10.0;
/// ... and the coarse points within this much (in nats) of the top.
const DEPTH: f64 = 40.0;

/// The NSB estimate, in nats, of the entropy of a distribution over `possible` outcomes from
/// their `counts` (zeros allowed; outcomes never seen need not be listed).
///
/// The integrand over ln beta is one peak, as narrow as 1 / sqrt(N): a coarse pass brackets it,
/// a golden-section search finds its top, the curvature there its width, and Simpson's rule
/// integrates WIDTHS widths either side, and the tails the coarse pass saw. About 220
/// evaluations, whatever N.
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
    let f = |x: f64| post.log_weight(x);
    let step = (LN_BETA.1 - LN_BETA.0) / (COARSE - 1) as f64;
    let coarse: Vec<f64> = (0..COARSE)
        .map(|i| f(LN_BETA.0 + step * i as f64))
        .collect();
    let top_i = (0..COARSE).fold(0, |b, i| if coarse[i] > coarse[b] { i } else { b });
    // Golden-section search for the top within the neighbouring coarse points.
    let (mut lo, mut hi) = (
        LN_BETA.0 + step * top_i.saturating_sub(1) as f64,
        LN_BETA.0 + step * (top_i + 1).min(COARSE - 1) as f64,
    );
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (hi - g * (hi - lo), lo + g * (hi - lo));
    let (mut fa, mut fb) = (f(a), f(b));
    while hi - lo > 1e-7 {
        if fa < fb {
            lo = a;
            a = b;
            fa = fb;
            b = lo + g * (hi - lo);
            fb = f(b);
        } else {
            hi = b;
            b = a;
            fb = fa;
            a = hi - g * (hi - lo);
            fa = f(a);
        }
    }
    let peak = (lo + hi) / 2.0;
    let top = f(peak);
    if !top.is_finite() {
        return post.mean_entropy(peak.exp());
    }
    // Width from the curvature, measured at a scale the peak resolves.
    let mut h = 1e-2;
    let mut width = 1.0;
    for _ in 0..6 {
        let curv = -(f(peak + h) - 2.0 * top + f(peak - h)) / (h * h);
        if curv > 0.0 && curv.is_finite() {
            width = 1.0 / curv.sqrt();
            if width > 2.0 * h {
                break;
            }
        }
        h /= 10.0;
    }
    // The peak itself, then whatever the coarse pass saw within DEPTH of the top on either side:
    // with few coincidences among many possible outcomes the integrand keeps a long tail toward
    // large beta (high entropy) that the curvature does not see.
    let near = (
        (peak - WIDTHS * width).max(LN_BETA.0),
        (peak + WIDTHS * width).min(LN_BETA.1),
    );
    let reach = |dir: isize| {
        let mut i = top_i as isize;
        while (0..COARSE as isize).contains(&(i + dir)) && coarse[(i + dir) as usize] > top - DEPTH
        {
            i += dir;
        }
        LN_BETA.0 + step * (i + dir).clamp(0, COARSE as isize - 1) as f64
    };
    let (mut mass, mut mean) = (0.0, 0.0);
    for (from, to) in [
        (reach(-1).min(near.0), near.0),
        near,
        (near.1, reach(1).max(near.1)),
    ] {
        if to <= from {
            continue;
        }
        let dx = (to - from) / (FINE - 1) as f64;
        for i in 0..FINE {
            let x = from + dx * i as f64;
            let simpson = if i == 0 || i == FINE - 1 {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            let w = simpson * dx * (f(x) - top).exp();
            if w > 0.0 {
                mass += w;
                mean += w * post.mean_entropy(x.exp());
            }
        }
    }
    if mass > 0.0 {
        mean / mass
    } else {
        post.mean_entropy(peak.exp())
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
        let mut ev = -ln_rising(kb, self.n);
        for &(c, m) in &self.groups {
            ev += m * ln_rising(b, c as f64);
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

/// ln Gamma(a + n) - ln Gamma(a), without the cancellation of two large logarithms when a is
/// large (K beta reaches 10^16 where the evidence still matters): Stirling's series for the
/// difference, with ln(1 + n / a) taken as such.
fn ln_rising(a: f64, n: f64) -> f64 {
    if a < 10.0 {
        return ln_gamma(a + n) - ln_gamma(a);
    }
    let phi = |z: f64| {
        let z2 = z * z;
        (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - 1.0 / (1680.0 * z2)) / z2) / z2) / z
    };
    (a - 0.5) * (n / a).ln_1p() + n * (a + n).ln() - n + phi(a + n) - phi(a)
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

    /// The same integral by brute force: trapezoids on a grid fine enough for every peak below
    fn dense(counts: &[u64], possible: f64) -> f64 {
        let mut groups: Vec<(u64, f64)> = Vec::new();
        for &c in counts.iter().filter(|&&c| c > 0) {
            groups.push((c, 1.0));
        }
        let seen = groups.len() as f64;
        let n = counts.iter().sum::<u64>() as f64;
        let post = Posterior {
            groups,
            seen,
            n,
            k: possible,
        };
        let xs: Vec<f64> = (0..=200_000)
            .map(|i| -30.0 + 60.0 * i as f64 / 200_000.0)
            .collect();
        let top = xs
            .iter()
            .map(|&x| post.log_weight(x))
            .fold(f64::NEG_INFINITY, f64::max);
        let (mut mass, mut mean) = (0.0, 0.0);
        for &x in &xs {
            let w = (post.log_weight(x) - top).exp();
            mass += w;
            mean += w * post.mean_entropy(x.exp());
        }
        mean / mass
    }

    #[test]
    fn rising_factorials_of_large_arguments_keep_their_digits() {
        // ln(a (a + 1) (a + 2)) exactly, where ln_gamma(a + 3) - ln_gamma(a) loses them.
        for a in [10.0f64, 1e3, 1e9, 1e16] {
            let want = a.ln() + (a + 1.0).ln() + (a + 2.0).ln();
            let got = ln_rising(a, 3.0);
            assert!(
                (got - want).abs() < 1e-12 * want.abs().max(1.0),
                "{a}: {got} {want}"
            );
        }
        assert!((ln_rising(2.5, 4.0) - (2.5f64 * 3.5 * 4.5 * 5.5).ln()).abs() < 1e-12);
    }

    #[test]
    fn agrees_with_a_dense_integration() {
        let cases: [(&[u64], f64); 4] = [
            (&[3, 1], 2.0),
            (&[5, 1, 1, 2, 0, 7], 16.0),
            (&[1, 1, 1, 2, 1, 1, 3], 1024.0),
            (&[40_000, 25_000, 20_000, 15_000], 8.0),
        ];
        for (c, k) in cases {
            let (fast, slow) = (entropy_nats(c, k), dense(c, k));
            assert!(
                (fast - slow).abs() < 1e-5,
                "{c:?} of {k}: {fast} against {slow}"
            );
        }
    }

    #[test]
    fn undersampled_counts_are_pulled_up_from_the_plug_in_value() {
        // 20 distinct outcomes seen once each among 2^20 possible: plug-in says ln 20 = 3.0; NSB
        // knows that so many singletons mean a much larger entropy.
        let h = entropy_nats(&[1; 20], (1u64 << 20) as f64);
        assert!(h > 20f64.ln() + 1.0, "{h}");
    }
}
