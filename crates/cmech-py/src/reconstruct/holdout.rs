//! The held-out comparison of `cmech_core::reconstruct::holdout`: a machine and smoothed Markov
//! chains on data it was not fitted on (`Reconstruction.hold_out`), as the classes `HeldOut` and
//! `HeldOutScore` wrapping the core's results. The interpreter lock is released while scoring.

use cmech_core::reconstruct::holdout::{self, HeldOut as Core, HeldOutScore as CoreScore};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::counts::NativeCounts;
use crate::document::{document, format, from_document, quoted, reduce, Reduced};
use crate::errors::{invalid_argument, to_py};
use crate::presentation::Presentation;

/// The window held-out data of `k` symbols are counted at, for training counts of `window`.
#[pyfunction]
pub fn holdout_window(k: usize, window: usize) -> usize {
    holdout::test_window(k, window)
}

/// The machine fitted on `train` and the smoothed Markov chains on the held-out `test`.
#[pyfunction]
pub fn hold_out(
    py: Python<'_>,
    machine: &Presentation,
    train: &NativeCounts,
    test: &NativeCounts,
) -> PyResult<HeldOut> {
    if train.shard.info.alphabet != test.shard.info.alphabet {
        return Err(invalid_argument(
            py,
            format!(
                "the held-out data's alphabet {{{}}} is not the training data's {{{}}}",
                test.shard.info.alphabet.join(", "),
                train.shard.info.alphabet.join(", ")
            ),
        ));
    }
    let h = py
        .detach(|| holdout::hold_out(&machine.hmm, &train.shard.table, &test.shard.table))
        .map_err(|e| to_py(py, e))?;
    Ok(HeldOut::from(h))
}

/// How a reconstructed machine predicts data it was not fitted on, beside smoothed
/// fixed-order Markov chains fitted to the same data: ``cmech reconstruct --holdout``
/// (``docs/reconstruction.md``, "Held-out prediction").
///
/// Each held-out symbol is predicted from at most ``context`` symbols before it, the machine
/// started from its stationary distribution; the machine and every chain are smoothed (additive
/// Krichevsky-Trofimov, or Witten-Bell interpolation), and the best of each is reported, the
/// chains' order and smoothing chosen on the held-out data itself. Built by
/// ``Reconstruction.hold_out``; ``HeldOut(doc)`` builds one from the core's document (what
/// ``to_dict()`` returns).
#[pyclass(module = "cmech._cmech", frozen)]
pub struct HeldOut {
    h: Core,
    /// The machine's score and the chains', made once, when first asked for, so that
    /// `best_markov` is one of `markov`.
    scores: PyOnceLock<(Py<HeldOutScore>, Vec<Py<HeldOutScore>>)>,
}

impl From<Core> for HeldOut {
    fn from(h: Core) -> Self {
        HeldOut {
            h,
            scores: PyOnceLock::new(),
        }
    }
}

impl HeldOut {
    fn scores(&self, py: Python<'_>) -> PyResult<&(Py<HeldOutScore>, Vec<Py<HeldOutScore>>)> {
        self.scores.get_or_try_init(py, || {
            let score = |s: &CoreScore| Py::new(py, HeldOutScore(s.clone()));
            let markov = self.h.markov.iter().map(score).collect::<PyResult<_>>()?;
            Ok((score(&self.h.machine)?, markov))
        })
    }
}

#[pymethods]
impl HeldOut {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(HeldOut::from(from_document::<Core>(doc)?))
    }

    /// Symbols fitted on.
    #[getter]
    fn train_symbols(&self) -> u64 {
        self.h.train_symbols
    }

    /// Symbols predicted.
    #[getter]
    fn test_symbols(&self) -> u64 {
        self.h.test_symbols
    }

    /// The most symbols a prediction is conditioned on.
    #[getter]
    fn context(&self) -> usize {
        self.h.context
    }

    /// The machine, with its better smoothing (a ``HeldOutScore``).
    #[getter]
    fn machine(&self, py: Python<'_>) -> PyResult<Py<HeldOutScore>> {
        Ok(self.scores(py)?.0.clone_ref(py))
    }

    /// Held-out symbols the machine as fitted gives probability zero (scored through its
    /// smoothing, which resynchronises it).
    #[getter]
    fn machine_impossible(&self) -> u64 {
        self.h.machine_impossible
    }

    /// Every chain (a list of ``HeldOutScore``), by order then smoothing.
    #[getter]
    fn markov(&self, py: Python<'_>) -> PyResult<Vec<Py<HeldOutScore>>> {
        Ok(self.scores(py)?.1.iter().map(|s| s.clone_ref(py)).collect())
    }

    /// The chain with the lowest log-loss (one of ``markov``).
    #[getter]
    fn best_markov(&self, py: Python<'_>) -> PyResult<Py<HeldOutScore>> {
        Ok(self.scores(py)?.1[self.h.best_markov].clone_ref(py))
    }

    /// The machine's log-loss less the best chain's, bits per symbol (negative: the machine
    /// predicts better).
    #[getter]
    fn advantage(&self) -> f64 {
        self.h.advantage
    }

    /// The standard error of ``advantage`` (of the mean per-symbol difference of the two
    /// losses, the symbols taken as independent: a floor for a dependent series). A difference
    /// within two of it is no evidence either way.
    #[getter]
    fn advantage_standard_error(&self) -> f64 {
        self.h.advantage_standard_error
    }

    /// The comparison in words.
    #[getter]
    fn verdict(&self) -> &str {
        &self.h.verdict
    }

    /// The ``"holdout"`` document of ``cmech reconstruct --holdout --json``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document(py, &self.h)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let best = &self.h.markov[self.h.best_markov];
        Ok(format!(
            "HeldOut(machine={}, best_markov={} {}, test_symbols={})",
            format(py, self.h.machine.log_loss, ".6f")?,
            quoted(py, &best.predictor)?,
            format(py, best.log_loss, ".6f")?,
            self.h.test_symbols
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().h)
    }
}

/// One predictor's log-loss on held-out data (see ``HeldOut``).
#[pyclass(module = "cmech._cmech", frozen)]
pub struct HeldOutScore(CoreScore);

#[pymethods]
impl HeldOutScore {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(HeldOutScore(from_document(doc)?))
    }

    /// ``"machine additive"``, ``"machine witten-bell"``, ``"markov-<order> additive"`` or
    /// ``"markov-<order> witten-bell"``: what predicted, smoothed by which rule.
    #[getter]
    fn predictor(&self) -> &str {
        &self.0.predictor
    }

    /// The Markov chain's order (None for the machine).
    #[getter]
    fn order(&self) -> Option<usize> {
        self.0.order
    }

    /// The machine's states, or the chain's contexts seen in the training data.
    #[getter]
    fn states(&self) -> usize {
        self.0.states
    }

    /// Free probabilities.
    #[getter]
    fn parameters(&self) -> usize {
        self.0.parameters
    }

    /// Minus the log2-likelihood of the held-out data per symbol, smoothed.
    #[getter]
    fn log_loss(&self) -> f64 {
        self.0.log_loss
    }

    /// The log-loss's standard error, the held-out symbols taken as independent (a floor for a
    /// dependent series).
    #[getter]
    fn standard_error(&self) -> f64 {
        self.0.standard_error
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let s = &self.0;
        Ok(format!(
            "HeldOutScore({}, states={}, log_loss={} +- {})",
            quoted(py, &s.predictor)?,
            s.states,
            format(py, s.log_loss, ".6f")?,
            format(py, s.standard_error, ".6f")?
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().0)
    }
}
