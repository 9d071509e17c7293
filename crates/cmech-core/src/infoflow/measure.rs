//! Estimates named by their parameters, as the command line and Python ask for them. Each face
//! used to build its own queries, order its series and word its checks; a [`Measure`] does it once,
//! so `cmech te` and `cmech.transfer_entropy` cannot drift apart.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::engine::{self, Kind};
use super::significance::{chi_square_observations, test_observations, Permutation};
use super::{
    ais_query, bad, block_query, check_k, entropy_rate_query, longest_trial, no_window,
    no_window_at, te_name, te_query, ChiSquareTest, Embedded, Local, Query, Series, SurrogateTest,
    TeOptions, Window,
};
use crate::error::{CmechError, Result};

/// How an average is estimated from the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bias {
    /// The plug-in (maximum-likelihood) estimate.
    #[default]
    PlugIn,
    /// Miller-Madow (Miller 1955; Panzeri & Treves 1996): every entropy of a table with m nonzero
    /// cells out of N observations gains (m - 1) / (2 N ln 2) bits, and the measure is the same
    /// sum of entropies as the plug-in one. Local values stay plug-in.
    MillerMadow,
}

impl Bias {
    /// Its name in messages and JSON, `plug-in` or `miller-madow`, which [`FromStr`] reads back.
    pub fn name(self) -> &'static str {
        match self {
            Bias::PlugIn => "plug-in",
            Bias::MillerMadow => "miller-madow",
        }
    }
}

impl Bias {
    /// Refuses a correction where nothing would be corrected: it applies to the average, while
    /// local values and significance tests are plug-in, so a face that answers such a request
    /// with them alone (or beside the average) would present plug-in numbers as corrected. The
    /// one rule of the CLI and Python; [`Evaluation`] itself keeps both apart and needs none.
    pub fn check_with(self, local: bool, test: bool) -> Result<()> {
        if self == Bias::PlugIn || !(local || test) {
            return Ok(());
        }
        let what = match (local, test) {
            (true, true) => "local values and significance tests are",
            (true, false) => "local values are",
            _ => "significance tests are",
        };
        Err(bad(format!(
            "the {self} correction applies to the average only; {what} plug-in: ask for them \
             without the correction"
        )))
    }
}

impl fmt::Display for Bias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Bias {
    type Err = CmechError;
    fn from_str(s: &str) -> Result<Bias> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "plug-in" | "plugin" | "none" | "ml" => Ok(Bias::PlugIn),
            "miller-madow" | "mm" => Ok(Bias::MillerMadow),
            _ => Err(bad(format!(
                "unknown bias correction '{s}' (plug-in or miller-madow)"
            ))),
        }
    }
}

/// An information measure with its parameters. The series it reads are given in the user's
/// order: TE source, target, conditions...; AIS, block entropy and entropy rate one series; MI
/// x, y, conditions....
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Measure {
    /// TE(source -> target | conditions), conditions entering at t - 1.
    TransferEntropy {
        /// Target history k, source history l and source-target delay.
        opts: TeOptions,
        /// Number of conditioning series, given after source and target.
        conditions: usize,
    },
    /// I(X_{t-k..t-1} ; X_t).
    ActiveInformation {
        /// History length (at least 1).
        k: usize,
    },
    /// I(X_{t-lag} ; Y_t | Z_t) for `conditions` series Z (none: plain MI).
    MutualInformation {
        /// Steps by which X precedes Y (0: the same step); the first `lag` steps of every trial
        /// have no value.
        lag: usize,
        /// Number of conditioning series Z, given after x and y, each read at step t.
        conditions: usize,
    },
    /// H(X_{t-k+1..t}); k = 1 is the entropy.
    BlockEntropy {
        /// Block length (at least 1).
        k: usize,
    },
    /// H(X_t | X_{t-k..t-1}).
    EntropyRate {
        /// History length (at least 1).
        k: usize,
    },
}

impl Measure {
    /// Number of series it reads.
    pub fn series_count(&self) -> usize {
        match *self {
            Measure::TransferEntropy { conditions, .. } => 2 + conditions,
            Measure::MutualInformation { conditions, .. } => 2 + conditions,
            _ => 1,
        }
    }

    /// How messages name it.
    pub fn name(&self) -> String {
        match *self {
            Measure::TransferEntropy { opts, conditions } => {
                let n = te_name(&opts);
                if conditions > 0 {
                    format!("conditional {n}")
                } else {
                    n
                }
            }
            Measure::ActiveInformation { k } => format!("AIS with k = {k}"),
            Measure::MutualInformation { lag, conditions } => {
                let n = if conditions > 0 {
                    "conditional mutual information"
                } else {
                    "mutual information"
                };
                if lag > 0 {
                    format!("{n} with lag = {lag}")
                } else {
                    n.into()
                }
            }
            Measure::BlockEntropy { k } => format!("block entropy with k = {k}"),
            Measure::EntropyRate { k } => format!("entropy rate with k = {k}"),
        }
    }

    /// Checks the parameters, before any data is read.
    pub fn check(&self) -> Result<()> {
        match *self {
            Measure::TransferEntropy { opts, .. } => opts.check(),
            Measure::ActiveInformation { k }
            | Measure::BlockEntropy { k }
            | Measure::EntropyRate { k } => check_k(k),
            Measure::MutualInformation { .. } => Ok(()),
        }
    }

    /// Its query, over the series in the order of [`Measure::arrange`].
    pub fn query(&self) -> Query {
        match *self {
            Measure::TransferEntropy { opts, conditions } => te_query(&opts, conditions),
            Measure::ActiveInformation { k } => ais_query(k),
            Measure::MutualInformation { lag, conditions } => Query {
                x: vec![Window::new(0, 1, lag)],
                y: vec![Window::new(1, 1, 0)],
                z: (0..conditions).map(|i| Window::new(2 + i, 1, 0)).collect(),
            },
            Measure::BlockEntropy { k } => block_query(k),
            Measure::EntropyRate { k } => entropy_rate_query(k),
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Measure::BlockEntropy { .. } | Measure::EntropyRate { .. } => Kind::CondEntropy,
            _ => Kind::Cmi,
        }
    }

    /// The series in the order of the query (TE's query reads the target first).
    pub fn arrange<'a>(&self, series: &[&'a Series]) -> Result<Vec<&'a Series>> {
        let want = self.series_count();
        if series.len() != want {
            return Err(bad(format!(
                "{} needs {want} series, got {}",
                self.name(),
                series.len()
            )));
        }
        let mut s = series.to_vec();
        if let Measure::TransferEntropy { .. } = self {
            s.swap(0, 1);
        }
        Ok(s)
    }

    /// Checks parameters and data and lays out the observations.
    fn embed<'a>(&self, series: &[&'a Series]) -> Result<Embedded<'a>> {
        self.check()?;
        let s = self.arrange(series)?;
        let query = self.query();
        // Before Embedded::new: a history longer than the data is better told as that than as
        // a state space too large to count.
        let (offset, longest) = (query.offset(), s.first().map_or(0, longest_trial));
        if offset >= longest {
            return Err(no_window_at(&self.name(), offset, longest));
        }
        let e = Embedded::new(&s, &query)?;
        if e.lengths_total() == 0 {
            return Err(no_window(&self.name(), &e));
        }
        Ok(e)
    }
}

/// An estimate: the average (bias-corrected as asked), the plug-in average and, when asked for,
/// the local (plug-in) values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The average, with the correction `bias`.
    pub value: f64,
    /// The plug-in average (the average of the local values).
    pub plug_in: f64,
    /// The correction applied to `value`.
    pub bias: Bias,
    /// Number of observations counted.
    pub observations: usize,
    /// Steps at the start of every trial with no observation.
    pub offset: usize,
    /// Distinct joint states observed (of all the variables the measure involves).
    pub joint_states: usize,
    /// The local plug-in values, in bits, when [`evaluate`] was asked for them; their average is
    /// `plug_in`.
    pub local: Option<Local>,
}

impl Evaluation {
    /// Said when the data cannot support the estimate: fewer than two observations per joint
    /// state seen, where plug-in estimates go wrong without a sign (TE with k = 40 on 10^5
    /// samples gives 0.0007 bits for a true 0.667).
    pub fn undersampled(&self) -> Option<String> {
        (self.joint_states * 2 > self.observations).then(|| {
            format!(
                "undersampled: {} distinct joint states among {} observations (fewer than 2 \
                 each); the estimate cannot be trusted: use shorter histories or more data",
                self.joint_states, self.observations
            )
        })
    }
}

/// Counts the data once and returns the average of `measure` and, with `local`, its local
/// values.
pub fn evaluate(
    measure: &Measure,
    series: &[&Series],
    bias: Bias,
    local: bool,
) -> Result<Evaluation> {
    let e = measure.embed(series)?;
    let counted = engine::count(&e, measure.kind())?;
    let plug_in = counted.value();
    let local = local.then(|| Local {
        average: plug_in,
        values: counted.locals(&e),
        offset: e.offset,
        lengths: e.lengths.clone(),
    });
    Ok(Evaluation {
        value: counted.value_with(bias),
        plug_in,
        bias,
        observations: e.lengths_total(),
        offset: e.offset,
        joint_states: counted.nonzero_cells()[0],
        local,
    })
}

/// The average of `measure` with the correction `bias`, in bits.
pub fn estimate(measure: &Measure, series: &[&Series], bias: Bias) -> Result<f64> {
    evaluate(measure, series, bias, false).map(|e| e.value)
}

/// A significance test to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Test {
    /// `surrogates` permutations of the source (for TE its whole history window), from `seed`.
    Surrogates {
        /// Number of surrogates (at least 1).
        surrogates: usize,
        /// Seed of the permutations: the same seed gives the same result for any number of
        /// threads.
        seed: u64,
    },
    /// The analytic chi-square test.
    ChiSquare,
}

/// The result of a [`Test`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Tested {
    /// The result of [`Test::Surrogates`].
    Surrogates(SurrogateTest),
    /// The result of [`Test::ChiSquare`].
    ChiSquare(ChiSquareTest),
}

/// The significance test of `measure` (plug-in statistic): TE, AIS and (conditional) MI.
pub fn test(measure: &Measure, series: &[&Series], test: Test) -> Result<Tested> {
    if matches!(
        measure,
        Measure::BlockEntropy { .. } | Measure::EntropyRate { .. }
    ) {
        return Err(bad(format!(
            "a significance test applies to transfer entropy, AIS and mutual information, not \
             {}",
            measure.name()
        )));
    }
    let e = measure.embed(series)?;
    match test {
        Test::Surrogates { surrogates, seed } => {
            test_observations(&e, surrogates, seed, Permutation::Free).map(Tested::Surrogates)
        }
        Test::ChiSquare => chi_square_observations(&e).map(Tested::ChiSquare),
    }
}
