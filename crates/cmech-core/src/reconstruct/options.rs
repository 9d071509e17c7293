//! What a reconstruction is asked to do: the method and its parameters, or a selection, and the
//! words the counts must reach for it.
use serde::{Deserialize, Serialize};

use crate::error::{at_least_one, CmechError, Result};

use super::homogeneity::Test;
use super::select::SelectOptions;
use super::{cssr, forward, Fit, WordTables};

/// The reconstruction algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Method {
    /// CSSR as published: suffix histories homogenised by next-symbol tests, then determinised.
    Cssr,
    /// CSSR's splitting with states tested on futures of several symbols and successors that
    /// keep their oldest symbol when dropping it would lose synchronisation: recovers processes
    /// of infinite Markov order (Even, RRXOR) that CSSR splits into spurious states.
    Forward,
}

impl Method {
    /// Every method with its name and a one-line description, for the faces' help.
    pub const ALL: &'static [(Method, &'static str, &'static str)] = &[
        (
            Method::Cssr,
            "cssr",
            "causal-state splitting reconstruction (Shalizi & Klinkner 2004)",
        ),
        (
            Method::Forward,
            "forward",
            "CSSR with states tested on longer futures and synchronisation-preserving \
             successors; right for processes of infinite Markov order",
        ),
    ];

    /// The method's name as users write it: `cssr` or `forward`.
    pub fn name(self) -> &'static str {
        Method::ALL.iter().find(|m| m.0 == self).expect("listed").1
    }
}

impl std::str::FromStr for Method {
    type Err = CmechError;
    fn from_str(s: &str) -> Result<Method> {
        Method::ALL
            .iter()
            .find(|m| m.1 == s)
            .map(|m| m.0)
            .ok_or_else(|| {
                let known: Vec<&str> = Method::ALL.iter().map(|m| m.1).collect();
                CmechError::InvalidArgument(format!(
                    "unknown method '{s}' (known: {})",
                    known.join(", ")
                ))
            })
    }
}

/// The significance level of the tests that split states, unless the user gives one.
pub const DEFAULT_ALPHA: f64 = 0.001;

/// Parameters of a reconstruction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReconstructOptions {
    /// The algorithm.
    pub method: Method,
    /// The longest history length L, at least 1.
    pub max_history: usize,
    /// The significance level of the tests that split states, in (0, 1).
    pub alpha: f64,
    /// The test that decides whether two histories predict the next symbol alike.
    pub test: Test,
    /// Length of the futures whose distributions define states in the forward method
    /// (`None`: the shortest with at least 8 possible words). CSSR uses next symbols only.
    pub future: Option<usize>,
}

impl Default for ReconstructOptions {
    fn default() -> Self {
        ReconstructOptions {
            method: Method::Cssr,
            max_history: 5,
            alpha: DEFAULT_ALPHA,
            test: Test::ChiSquare,
            future: None,
        }
    }
}

impl ReconstructOptions {
    /// The word length a count table of an alphabet of `k` symbols must reach for these options.
    pub fn window(&self, k: usize) -> usize {
        match self.method {
            Method::Cssr => self.max_history + 1,
            Method::Forward => self.max_history + 1 + self.future_length(k),
        }
    }

    /// The future length of the forward method.
    pub fn future_length(&self, k: usize) -> usize {
        // Binary data: 3; three symbols: 2; from eight: 1; one symbol has one future of any length.
        self.future.unwrap_or_else(|| {
            (1..=3)
                .find(|&f| k.saturating_pow(f as u32) >= 8)
                .unwrap_or(1)
        })
    }

    /// Checks the parameters on their own, before any data is read: a maximum history length of
    /// at least 1, a significance level in (0, 1) and, if given, a future length of at least 1.
    /// [`reconstruct`](fn@crate::reconstruct::reconstruct) checks them too; the faces call this to refuse early.
    pub fn validate(&self) -> Result<()> {
        at_least_one("max_history", self.max_history)?;
        within_window("max_history", self.max_history)?;
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(CmechError::OutOfRange {
                parameter: "alpha",
                value: self.alpha.to_string(),
                rule: "in (0, 1)",
            });
        }
        if let Some(f) = self.future {
            at_least_one("future", f)?;
            within_window("future", f)?;
        }
        Ok(())
    }

    pub(super) fn fit(&self, counts: &WordTables, l: usize) -> Result<Fit> {
        match self.method {
            Method::Cssr => cssr(counts, l, self),
            Method::Forward => forward(counts, l, self.future_length(counts.k), self),
        }
    }
}

/// A history or future length that, with one more symbol, still fits a count's window of at
/// most 64 (`usize::MAX` wrapped to a window of 0 or 3: "window length must be at least 1", or a
/// count at the wrong length with no word said).
pub(crate) fn within_window(parameter: &'static str, l: usize) -> Result<()> {
    if l > 63 {
        return Err(CmechError::OutOfRange {
            parameter,
            value: l.to_string(),
            rule: "at most 63 (counts reach words of 64 symbols)",
        });
    }
    Ok(())
}

/// What a user asked of a reconstruction, each option given or not. The rule that turns it into
/// a [`Plan`] lives here so that every face applies the same one.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Request {
    /// The algorithm, if given.
    pub method: Option<Method>,
    /// The longest history length, if given (given alone, it bounds a selection).
    pub max_history: Option<usize>,
    /// The significance level, if given.
    pub alpha: Option<f64>,
    /// The homogeneity test, if given.
    pub test: Option<Test>,
    /// The future length of the forward method, if given.
    pub future: Option<usize>,
}

/// How a reconstruction runs: one method with fixed parameters, or a selection among them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Plan {
    /// The method with these parameters, exactly.
    Fixed(ReconstructOptions),
    /// Model selection ([`super::select`]).
    Select(SelectOptions),
}

impl Request {
    /// The plan: a selection when no method, significance level, test or future length is given
    /// (a maximum history alone bounds the selection's history lengths); otherwise the given
    /// options, the rest at [`ReconstructOptions::default`]. Checked before any data is read.
    pub fn plan(&self) -> Result<Plan> {
        let plan = if self.method.is_none()
            && self.alpha.is_none()
            && self.test.is_none()
            && self.future.is_none()
        {
            Plan::Select(SelectOptions {
                max_history: self.max_history,
            })
        } else {
            let d = ReconstructOptions::default();
            Plan::Fixed(ReconstructOptions {
                method: self.method.unwrap_or(d.method),
                max_history: self.max_history.unwrap_or(d.max_history),
                alpha: self.alpha.unwrap_or(d.alpha),
                test: self.test.unwrap_or(d.test),
                future: self.future,
            })
        };
        plan.validate()?;
        Ok(plan)
    }
}

impl Plan {
    /// Checks the parameters before any data is read.
    pub fn validate(&self) -> Result<()> {
        match self {
            Plan::Fixed(o) => o.validate(),
            Plan::Select(o) => o.validate(),
        }
    }

    /// The word length counts of an alphabet of `k` symbols must reach.
    pub fn window(&self, k: usize) -> usize {
        match self {
            Plan::Fixed(o) => o.window(k),
            Plan::Select(o) => o.window(k),
        }
    }

    /// The longest history length the plan may use, for a count's sidecar and messages.
    pub fn max_history(&self, k: usize) -> usize {
        match self {
            Plan::Fixed(o) => o.max_history,
            Plan::Select(o) => o.longest_history(k),
        }
    }
}

/// The longest word to count: a fixed window, or what a reconstruction needs (which depends on the
/// alphabet size for the forward method).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CountWindow {
    /// Words of up to this many symbols.
    Fixed(usize),
    /// The window this plan needs.
    For(Plan),
}

impl CountWindow {
    /// Checks the window (2 to 64: a history and the symbol after it, in a count's 64-symbol
    /// words) or the options.
    pub fn validate(&self) -> Result<()> {
        match self {
            CountWindow::Fixed(w) if *w < 2 => Err(CmechError::InvalidArgument(
                "the window must be at least 2 (a history and the symbol after it)".into(),
            )),
            // A shard reader refuses a wider window: one written would never be read again.
            CountWindow::Fixed(w) if *w > 64 => Err(CmechError::OutOfRange {
                parameter: "window",
                value: w.to_string(),
                rule: "at most 64 (counts reach words of 64 symbols)",
            }),
            CountWindow::Fixed(_) => Ok(()),
            CountWindow::For(opts) => opts.validate(),
        }
    }

    /// The window for an alphabet of `k` symbols.
    pub fn length(&self, k: usize) -> usize {
        match self {
            CountWindow::Fixed(w) => *w,
            CountWindow::For(plan) => plan.window(k),
        }
    }

    /// The history length the counts are made for (`None` for a fixed window), as a count
    /// shard's sidecar records it.
    pub fn max_history(&self, k: usize) -> Option<usize> {
        match self {
            CountWindow::Fixed(_) => None,
            CountWindow::For(plan) => Some(plan.max_history(k)),
        }
    }
}
