//! Tests of whether two count vectors come from one distribution, as CSSR decides whether a
//! history belongs to a state.
//!
//! A count vector may be made of blocks, one per input symbol of a transducer: block x holds the
//! counts of the next outputs after input x. Only the conditional distributions within a block
//! are compared, never how often each input occurred (that is the input process's business, not
//! the transducer's). A process is the case of one block.
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The test deciding whether two next-symbol count vectors come from one distribution. Named,
/// in every face and in JSON, as users write it: `chi2` or `ks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Test {
    /// Pearson's chi-square test of homogeneity.
    #[serde(rename = "chi2")]
    ChiSquare,
    /// Two-sample Kolmogorov-Smirnov test on the cumulative distributions over symbols.
    #[serde(rename = "ks")]
    KolmogorovSmirnov,
}

impl Test {
    /// Every test with its name and a one-line description, for the faces' help.
    pub const ALL: &'static [(Test, &'static str, &'static str)] = &[
        (
            Test::ChiSquare,
            "chi2",
            "Pearson's chi-square test of homogeneity",
        ),
        (
            Test::KolmogorovSmirnov,
            "ks",
            "two-sample Kolmogorov-Smirnov test on the distributions over symbols",
        ),
    ];

    /// The test's name as users write it: `chi2` or `ks`.
    pub fn name(self) -> &'static str {
        Test::ALL.iter().find(|t| t.0 == self).expect("listed").1
    }
}

impl std::str::FromStr for Test {
    type Err = crate::error::CmechError;
    fn from_str(s: &str) -> std::result::Result<Test, Self::Err> {
        Test::ALL
            .iter()
            .find(|t| t.1 == s)
            .map(|t| t.0)
            .ok_or_else(|| {
                let known: Vec<&str> = Test::ALL.iter().map(|t| t.1).collect();
                crate::error::CmechError::InvalidArgument(format!(
                    "unknown test '{s}' (known: {})",
                    known.join(", ")
                ))
            })
    }
}

/// p-value of the hypothesis that counts `a` and `b` share one distribution.
pub fn homogeneity_p_value(a: &[u64], b: &[u64], test: Test) -> f64 {
    statistic(a, b, test, 1.0, 1).p_value()
}

/// A test statistic, or the knowledge that the counts cannot differ (one side empty, one cell).
enum Statistic {
    Trivial,
    /// Chi-square statistics and degrees of freedom summed over blocks (independent given the
    /// inputs).
    ChiSquare {
        stat: f64,
        df: usize,
    },
    /// The largest Kolmogorov statistic over `blocks` blocks, judged with Sidak's correction.
    Kolmogorov {
        lambda: f64,
        blocks: usize,
    },
}

impl Statistic {
    fn p_value(&self) -> f64 {
        match *self {
            Statistic::Trivial => 1.0,
            Statistic::ChiSquare { stat, df } => ChiSquared::new(df as f64)
                .expect("positive degrees of freedom")
                .sf(stat),
            Statistic::Kolmogorov { lambda, blocks } => {
                1.0 - (1.0 - kolmogorov_sf(lambda)).powi(blocks as i32)
            }
        }
    }
}

/// The statistic for counts whose variance is up to `dispersion` times the multinomial's:
/// counts of overlapping words of length f are correlated, up to f-fold, so their statistic is
/// deflated by f (their effective sample size is at least 1/f of the count).
///
/// The chi-square's degrees of freedom are the cells not empty in both vectors, without the one
/// constraint a homogeneity test usually subtracts: this is the original CSSR program's
/// convention (Numerical Recipes' `chstwo` called with no constraint), which we keep so that
/// our states are its states. It is the more conservative choice (fewer splits).
fn statistic(a: &[u64], b: &[u64], test: Test, dispersion: f64, blocks: usize) -> Statistic {
    let width = a.len() / blocks;
    let (mut chi2, mut df) = (0.0, 0usize);
    let (mut lambda, mut compared) = (0.0f64, 0usize);
    for (a, b) in a.chunks_exact(width).zip(b.chunks_exact(width)) {
        let (na, nb) = (a.iter().sum::<u64>() as f64, b.iter().sum::<u64>() as f64);
        if na == 0.0 || nb == 0.0 {
            continue;
        }
        match test {
            Test::ChiSquare => {
                let mut cells = 0;
                let mut stat = 0.0;
                for (&x, &y) in a.iter().zip(b) {
                    let total = (x + y) as f64;
                    if total == 0.0 {
                        continue;
                    }
                    cells += 1;
                    let (ea, eb) = (total * na / (na + nb), total * nb / (na + nb));
                    stat += (x as f64 - ea).powi(2) / ea + (y as f64 - eb).powi(2) / eb;
                }
                if cells >= 2 {
                    chi2 += stat;
                    df += cells;
                }
            }
            Test::KolmogorovSmirnov => {
                let (mut fa, mut fb, mut d) = (0.0, 0.0, 0.0f64);
                for (&x, &y) in a.iter().zip(b) {
                    fa += x as f64 / na;
                    fb += y as f64 / nb;
                    d = d.max((fa - fb).abs());
                }
                let n = (na * nb / (na + nb) / dispersion).sqrt();
                lambda = lambda.max((n + 0.12 + 0.11 / n) * d);
                compared += 1;
            }
        }
    }
    match test {
        Test::ChiSquare if df > 0 => Statistic::ChiSquare {
            stat: chi2 / dispersion,
            df,
        },
        Test::KolmogorovSmirnov if compared > 0 => Statistic::Kolmogorov {
            lambda,
            blocks: compared,
        },
        _ => Statistic::Trivial,
    }
}

/// A homogeneity test at a fixed level. Rejection is decided against critical values computed
/// once, so the costly p-value is computed only for the pairs accepted, which need ranking.
pub(super) struct Tester {
    test: Test,
    alpha: f64,
    dispersion: f64,
    blocks: usize,
    /// Chi-square critical values by degrees of freedom, filled as met.
    chi2_critical: std::cell::RefCell<Vec<f64>>,
    /// Kolmogorov critical values by number of blocks compared, filled as met.
    ks_critical: std::cell::RefCell<Vec<f64>>,
}

impl Tester {
    /// A test at level `alpha` of count vectors made of `blocks` blocks.
    pub(super) fn new(test: Test, alpha: f64, dispersion: f64, blocks: usize) -> Tester {
        Tester {
            test,
            alpha,
            dispersion,
            blocks,
            chi2_critical: Default::default(),
            ks_critical: Default::default(),
        }
    }

    /// The p-value of `a` against `b` when the test accepts them as one distribution.
    pub(super) fn accepts(&self, a: &[u64], b: &[u64]) -> Option<f64> {
        let (stat, clear) = self.verdict(a, b);
        if clear == Some(false) {
            return None;
        }
        let p = stat.p_value();
        (p > self.alpha).then_some(p)
    }

    /// Whether the test accepts `a` and `b` as one distribution: [`Tester::accepts`] without
    /// the p-value, which only statistics within a hair of the critical value need.
    pub(super) fn holds(&self, a: &[u64], b: &[u64]) -> bool {
        let (stat, clear) = self.verdict(a, b);
        clear.unwrap_or_else(|| stat.p_value() > self.alpha)
    }

    /// The statistic, and the decision when the critical value settles it: rejection past it,
    /// acceptance well inside it (by far more than the inverse's rounding), `None` between.
    fn verdict(&self, a: &[u64], b: &[u64]) -> (Statistic, Option<bool>) {
        let stat = statistic(a, b, self.test, self.dispersion, self.blocks);
        let (value, critical) = match stat {
            Statistic::Trivial => return (stat, Some(true)),
            Statistic::ChiSquare { stat, df } => (
                stat,
                cached(&self.chi2_critical, df, || {
                    ChiSquared::new(df as f64)
                        .expect("positive degrees of freedom")
                        .inverse_cdf(1.0 - self.alpha)
                }),
            ),
            Statistic::Kolmogorov { lambda, blocks } => (
                lambda,
                cached(&self.ks_critical, blocks, || {
                    // Sidak: each block at the level that makes the family's level alpha.
                    kolmogorov_critical(1.0 - (1.0 - self.alpha).powf(1.0 / blocks as f64))
                }),
            ),
        };
        // Slightly past the critical value, so that rounding in the inverse never rejects what
        // the p-value would accept.
        if value > critical * (1.0 + 1e-9) {
            (stat, Some(false))
        } else if value < critical * (1.0 - 1e-6) {
            (stat, Some(true))
        } else {
            (stat, None)
        }
    }
}

fn cached(table: &std::cell::RefCell<Vec<f64>>, i: usize, compute: impl FnOnce() -> f64) -> f64 {
    let mut table = table.borrow_mut();
    if table.len() <= i {
        table.resize(i + 1, f64::NAN);
    }
    if table[i].is_nan() {
        table[i] = compute();
    }
    table[i]
}

/// The lambda at which the Kolmogorov survival function falls to `alpha` (it falls from 1 to 0:
/// bisection).
fn kolmogorov_critical(alpha: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 10.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if kolmogorov_sf(mid) > alpha {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
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

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Deciding by the critical value alone, where it settles the case, decides as the
        /// p-value does, including statistics near the critical value.
        #[test]
        fn holding_is_accepting(
            a in proptest::collection::vec(0u64..200, 4),
            b in proptest::collection::vec(0u64..200, 4),
            alpha in proptest::sample::select(vec![0.001, 0.01, 0.05, 0.3]),
            ks in proptest::bool::ANY,
            blocks in 1usize..3,
        ) {
            let test = if ks { Test::KolmogorovSmirnov } else { Test::ChiSquare };
            let t = Tester::new(test, alpha, 1.0, blocks);
            proptest::prop_assert_eq!(t.holds(&a, &b), t.accepts(&a, &b).is_some());
        }
    }

    #[test]
    fn tests_agree_on_clear_cases() {
        for test in [Test::ChiSquare, Test::KolmogorovSmirnov] {
            assert!(homogeneity_p_value(&[500, 500], &[510, 490], test) > 0.1);
            assert!(homogeneity_p_value(&[900, 100], &[100, 900], test) < 1e-10);
        }
    }

    #[test]
    fn chi_square_is_the_original_programs() {
        // 2 x 2 table [[30, 10], [20, 20]]: Pearson's statistic 16/3 (hand-computed), judged on
        // 2 degrees of freedom as the original CSSR does: sf = exp(-x/2).
        let p = homogeneity_p_value(&[30, 10], &[20, 20], Test::ChiSquare);
        assert!((p - (-16.0f64 / 6.0).exp()).abs() < 1e-12, "{p}");
    }

    #[test]
    fn blocks_compare_conditional_distributions_only() {
        // Same output distribution after each input, inputs in very different proportions.
        let a = [900, 100, 50, 50];
        let b = [90, 10, 500, 500];
        for test in [Test::ChiSquare, Test::KolmogorovSmirnov] {
            let t = Tester::new(test, 0.001, 1.0, 2);
            assert_eq!(t.accepts(&a, &b), Some(1.0));
            assert!(Tester::new(test, 0.001, 1.0, 1).accepts(&a, &b).is_none());
            // One input's outputs differ: rejected.
            assert!(t.accepts(&a, &[90, 10, 900, 100]).is_none());
        }
        // An input seen on one side only carries no evidence.
        let t = Tester::new(Test::ChiSquare, 0.001, 1.0, 2);
        assert_eq!(t.accepts(&[0, 0, 50, 50], &[90, 10, 0, 0]), Some(1.0));
        // Chi-square sums statistics and degrees of freedom over blocks.
        let two = statistic(
            &[30, 10, 30, 10],
            &[20, 20, 20, 20],
            Test::ChiSquare,
            1.0,
            2,
        );
        let p = two.p_value();
        let expected = ChiSquared::new(4.0).unwrap().sf(32.0 / 3.0);
        assert!((p - expected).abs() < 1e-12, "{p} {expected}");
    }
}
