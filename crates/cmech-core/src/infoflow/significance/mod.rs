//! Is an estimate of I(X; Y | Z) (TE, MI, AIS, ...) larger than chance?
//!
//! - surrogates ([`super::Test::Surrogates`]): the Y windows (the whole source history, as JIDT permutes it) are
//!   shuffled over the observations, which keeps the distribution of source histories and the
//!   joint of X and Z but breaks any relation of Y to them; the estimate is recomputed on each
//!   surrogate. p = (1 + #{surrogates >= observed}) / (1 + surrogates). Seeded (ChaCha8, one
//!   stream per surrogate), parallel over surrogates, and the same for any number of threads.
//! - chi-square ([`super::Test::ChiSquare`]): under independence 2 N ln(2) I(X; Y | Z) is asymptotically chi-square
//!   with (|X| - 1)(|Y| - 1)|Z| degrees of freedom, the sizes of the state spaces of the windows
//!   (Barnett & Bossomaier 2012, Phys. Rev. Lett. 109, 138105; the degrees of freedom of JIDT's
//!   analytic test). Valid when every state is well sampled; with long histories prefer surrogates.
//!
//! Both are run through [`super::test`] with a [`super::Measure`]; the boundary scores use the
//! surrogates with a permutation within each value of Z. The tests' results and the analytic
//! test are here; `surrogate` holds the permutation engine behind the surrogate tests.

mod surrogate;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::bad;
use super::engine::{self, Kind, Observations};
use crate::error::Result;

pub(crate) use surrogate::test_observations;

/// The result of a surrogate test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurrogateTest {
    /// The estimate on the data.
    pub observed: f64,
    /// (1 + `at_least`) / (1 + `surrogates`): never below 1 / (1 + `surrogates`).
    pub p_value: f64,
    /// Number of surrogates (permuted copies of the data) computed.
    pub surrogates: usize,
    /// Surrogates at least as large as the observed value.
    pub at_least: usize,
    /// Mean of the surrogate values, in bits.
    pub mean: f64,
    /// Standard deviation of the surrogate values, in bits (divided by `surrogates`, not one
    /// less).
    pub std: f64,
    /// observed - mean: the estimate with its bias under independence removed ("effective
    /// transfer entropy", Marschinski & Kantz 2002).
    pub effective: f64,
    /// Seed of the permutations (ChaCha8; surrogate i draws from stream i + 1).
    pub seed: u64,
    /// Y was permuted only among observations with the same Z (a conditional permutation).
    pub within_condition: bool,
    /// Observations whose Y could move: all of them for a free permutation, those in strata of
    /// Z with at least two observations for a conditional one.
    pub exchangeable: usize,
}

/// How the Y windows are permuted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Permutation {
    /// Over all observations (JIDT's surrogates for TE and MI): keeps p(y) and p(x, z).
    Free,
    /// Among observations with the same Z: keeps p(y, z) and p(x, z) and breaks only the
    /// dependence of X and Y given Z, which is the null hypothesis of I(X; Y | Z) = 0. When most
    /// values of Z occur once the test has little power (few observations can move).
    WithinCondition,
}

/// The result of the analytic chi-square test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChiSquareTest {
    /// The plug-in estimate I on the data, in bits.
    pub observed: f64,
    /// 2 N ln(2) I.
    pub statistic: f64,
    /// Degrees of freedom (|X| - 1)(|Y| - 1)|Z|, from the sizes of the state spaces of the
    /// windows, not the states seen.
    pub df: f64,
    /// Probability that a chi-square variable with `df` degrees of freedom is at least
    /// `statistic`; 1 when `df` is 0.
    pub p_value: f64,
    /// Number of observations N.
    pub observations: usize,
}

pub(crate) fn chi_square_observations<O: Observations>(obs: &O) -> Result<ChiSquareTest> {
    let [cx, cy, cz] = obs.cards();
    let counted = engine::count(obs, Kind::Cmi)?;
    let observed = counted.value();
    let n = counted.n;
    let statistic = 2.0 * n as f64 * std::f64::consts::LN_2 * observed;
    let df = (cx as f64 - 1.0) * (cy as f64 - 1.0) * cz as f64;
    let p_value = if df <= 0.0 {
        1.0
    } else {
        ChiSquared::new(df)
            .map(|d| d.sf(statistic))
            .map_err(|e| bad(format!("chi-square with {df} degrees of freedom: {e}")))?
    };
    Ok(ChiSquareTest {
        observed,
        statistic,
        df,
        p_value,
        observations: n as usize,
    })
}
