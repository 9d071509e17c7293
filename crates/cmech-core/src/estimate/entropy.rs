//! Entropy of a distribution from the counts of its outcomes, by four estimators. The counts are
//! those of overlapping words, which are not independent draws; the estimators' corrections are
//! still the ones for independent draws (that is how they are used in the field), and the
//! intervals come from a bootstrap that respects the dependence ([`super::bootstrap`]).

use std::f64::consts::LN_2;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use statrs::function::gamma::digamma;

use super::nsb;
use crate::error::{CmechError, Result};

/// How an entropy is estimated from counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Estimator {
    /// The plug-in (maximum-likelihood) entropy of the frequencies: biased low.
    PlugIn,
    /// Plug-in plus (m - 1) / (2 N ln 2) for m outcomes seen among N (Miller 1955).
    MillerMadow,
    /// Grassberger (2003), eq. 35: ln N - (1/N) sum n_i G(n_i), G(n) = psi(n) + (-1)^n / 2
    /// (psi((n + 1) / 2) - psi(n / 2)).
    Grassberger,
    /// Nemenman, Shafee & Bialek (2002): the posterior mean of the entropy under a mixture of
    /// Dirichlet priors nearly flat in the entropy, over all possible outcomes (alphabet^L words).
    Nsb,
}

impl Estimator {
    /// Every estimator, in the order of the tables.
    pub const ALL: [Estimator; 4] = [
        Estimator::PlugIn,
        Estimator::MillerMadow,
        Estimator::Grassberger,
        Estimator::Nsb,
    ];

    /// Its name in messages, options and JSON, which [`FromStr`] reads back.
    pub fn name(self) -> &'static str {
        match self {
            Estimator::PlugIn => "plug-in",
            Estimator::MillerMadow => "miller-madow",
            Estimator::Grassberger => "grassberger",
            Estimator::Nsb => "nsb",
        }
    }

    /// The entropy in bits of a distribution over `possible` outcomes from `counts` (zeros
    /// allowed); `cache` holds what the estimator reuses across calls on similar counts.
    pub(crate) fn entropy(self, counts: &[u64], possible: f64, cache: &mut Cache) -> f64 {
        let n: u64 = counts.iter().sum();
        // One outcome seen: the data show no uncertainty, and no correction invents one (a
        // constant stream has every entropy exactly 0).
        if counts.iter().filter(|&&c| c > 0).count() <= 1 {
            return 0.0;
        }
        let nf = n as f64;
        let h = match self {
            Estimator::PlugIn => plug_in_nats(counts, nf),
            Estimator::MillerMadow => {
                let seen = counts.iter().filter(|&&c| c > 0).count();
                plug_in_nats(counts, nf) + (seen as f64 - 1.0) / (2.0 * nf)
            }
            Estimator::Grassberger => {
                let s: f64 = counts
                    .iter()
                    .filter(|&&c| c > 0)
                    .map(|&c| c as f64 * cache.grassberger(c))
                    .sum();
                nf.ln() - s / nf
            }
            Estimator::Nsb => nsb::entropy_nats(counts, possible),
        };
        (h / LN_2).max(0.0)
    }
}

fn plug_in_nats(counts: &[u64], n: f64) -> f64 {
    let s: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let c = c as f64;
            c * c.ln()
        })
        .sum();
    n.ln() - s / n
}

/// Grassberger's G(n), remembered for small n: a bootstrap asks for the same counts millions of
/// times, and a digamma costs tens of nanoseconds.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    g: Vec<f64>,
}

/// Counts below this have their G(n) remembered.
const CACHED: u64 = 1 << 16;

impl Cache {
    fn grassberger(&mut self, n: u64) -> f64 {
        if n >= CACHED {
            return grassberger_g(n);
        }
        if self.g.len() <= n as usize {
            let from = self.g.len() as u64;
            self.g
                .extend((from..=n.clamp(1024, CACHED - 1)).map(grassberger_g));
        }
        self.g[n as usize]
    }
}

fn grassberger_g(n: u64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let x = n as f64;
    let sign = if n.is_multiple_of(2) { 1.0 } else { -1.0 };
    digamma(x) + 0.5 * sign * (digamma((x + 1.0) / 2.0) - digamma(x / 2.0))
}

impl fmt::Display for Estimator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Estimator {
    type Err = CmechError;
    fn from_str(s: &str) -> Result<Estimator> {
        let s = s.to_ascii_lowercase().replace('_', "-");
        let s = match s.as_str() {
            "plugin" | "ml" => "plug-in",
            "mm" => "miller-madow",
            other => other,
        };
        Estimator::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Estimator::ALL.iter().map(|e| e.name()).collect();
                CmechError::InvalidArgument(format!(
                    "unknown entropy estimator '{s}' (known: {})",
                    known.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(e: Estimator, counts: &[u64], possible: f64) -> f64 {
        e.entropy(counts, possible, &mut Cache::default())
    }

    #[test]
    fn hand_values() {
        // 3 of one and 1 of the other: plug-in H(1/4) = 0.811278...
        let c = [3, 1];
        let plug = 0.8112781244591328;
        assert!((h(Estimator::PlugIn, &c, 2.0) - plug).abs() < 1e-15);
        let mm = plug + 1.0 / (8.0 * LN_2);
        assert!((h(Estimator::MillerMadow, &c, 2.0) - mm).abs() < 1e-15);
        // G(1) = psi(1) - (psi(1) - psi(1/2)) / 2 = -gamma - ln 2; G(3) = psi(3) - (psi(2) -
        // psi(3/2)) / 2 = 3/2 - gamma - (1 - gamma - (2 - gamma - 2 ln 2)) / 2.
        let gamma = 0.5772156649015329;
        let g1 = -gamma - LN_2;
        let g3 = 1.5 - gamma - 0.5 * (1.0 - gamma - (2.0 - gamma - 2.0 * LN_2));
        let want = (4f64.ln() - (3.0 * g3 + g1) / 4.0) / LN_2;
        assert!((h(Estimator::Grassberger, &c, 2.0) - want).abs() < 1e-12);
        // A single outcome has no uncertainty whatever the estimator... except Grassberger's
        // and NSB's corrections, which stay small and non-negative.
        for e in [Estimator::PlugIn, Estimator::MillerMadow] {
            assert_eq!(h(e, &[10], 2.0), 0.0);
        }
    }

    #[test]
    fn names_round_trip() {
        for e in Estimator::ALL {
            assert_eq!(e.name().parse::<Estimator>().unwrap(), e);
        }
        assert!("jackknife".parse::<Estimator>().is_err());
    }
}
