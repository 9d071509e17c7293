//! What a reconstruction reports besides the machine (`cmech_core::reconstruct::Diagnostics`,
//! with its `Selection` of `Candidate`s): the classes `Diagnostics`, `Selection` and
//! `Candidate` wrapping the core's structs. An object inside another (a diagnostics'
//! selection, a selection's candidates) is made once, when first asked for, so that it is the
//! same object every time, as an attribute is.

use cmech_core::reconstruct as core;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::document::{document, format, from_document, quoted, reduce, Reduced};

/// What a reconstruction found besides the machine (``docs/reconstruction.md``).
///
/// Built by ``cmech.reconstruct`` and ``cmech.reconstruct_transducer``; ``Diagnostics(doc)``
/// builds one from the core's document (what ``to_dict()`` returns, or the ``diagnostics`` of
/// ``cmech reconstruct --json``).
#[pyclass(module = "cmech._cmech", frozen)]
pub struct Diagnostics {
    d: core::Diagnostics,
    selection: PyOnceLock<Option<Py<Selection>>>,
}

impl From<core::Diagnostics> for Diagnostics {
    fn from(d: core::Diagnostics) -> Self {
        Diagnostics {
            d,
            selection: PyOnceLock::new(),
        }
    }
}

#[pymethods]
impl Diagnostics {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Diagnostics::from(from_document::<core::Diagnostics>(doc)?))
    }

    /// ``"cssr"`` or ``"forward"``.
    #[getter]
    fn method(&self) -> &'static str {
        self.d.method.name()
    }

    /// The maximum history length L.
    #[getter]
    fn max_history(&self) -> usize {
        self.d.max_history
    }

    /// The significance level of the tests.
    #[getter]
    fn alpha(&self) -> f64 {
        self.d.alpha
    }

    /// ``"chi2"`` or ``"ks"``.
    #[getter]
    fn test(&self) -> &'static str {
        self.d.test.name()
    }

    /// Symbols counted.
    #[getter]
    fn symbols(&self) -> u64 {
        self.d.symbols
    }

    /// Sequences counted.
    #[getter]
    fn sequences(&self) -> u64 {
        self.d.sequences
    }

    /// States before the transient ones were dropped.
    #[getter]
    fn states_total(&self) -> usize {
        self.d.states_total
    }

    /// States of the returned machine (its heaviest recurrent class).
    #[getter]
    fn recurrent_states(&self) -> usize {
        self.d.recurrent_states
    }

    /// ``states_total - recurrent_states``.
    #[getter]
    fn transient_states(&self) -> usize {
        self.d.transient_states
    }

    /// Share of the counted histories of length L that the machine holds (CSSR) or that
    /// synchronise into it (forward).
    #[getter]
    fn recurrent_mass(&self) -> f64 {
        self.d.recurrent_mass
    }

    /// Statistical complexity of the returned machine, in bits: exact for the machine; as an
    /// estimate of the process's, with an interval, see ``cmech.estimate``.
    #[getter]
    fn c_mu(&self) -> f64 {
        self.d.c_mu
    }

    /// Entropy rate of the returned machine, in bits: exact for the machine; as an estimate of
    /// the process's, with an interval, see ``cmech.estimate``.
    #[getter]
    fn h_mu(&self) -> f64 {
        self.d.h_mu
    }

    /// log2-likelihood of all the data under the machine, started from its stationary
    /// distribution; ``-inf`` when the machine gives some observed word probability zero.
    #[getter]
    fn log_likelihood(&self) -> f64 {
        self.d.log_likelihood
    }

    /// Minus the log-likelihood per symbol, bits (``inf`` for impossible data, ``nan`` for a
    /// transducer).
    #[getter]
    fn log_loss(&self) -> f64 {
        match self.d.log_loss {
            Some(loss) => loss,
            // Not computed: for a transducer; impossible data have an infinite loss.
            None if self.d.log_likelihood.is_finite() => f64::NAN,
            None => f64::INFINITY,
        }
    }

    /// Occurrences of symbols the machine gives probability zero.
    #[getter]
    fn impossible(&self) -> u64 {
        self.d.impossible
    }

    /// The entropy rate estimated from block entropies of the counts alone (not from the
    /// machine), on which ``supported_history`` rests.
    #[getter]
    fn entropy_rate_estimate(&self) -> f64 {
        self.d.entropy_rate_estimate
    }

    /// How the machine was chosen (a ``Selection``), when ``cmech.reconstruct`` selected it;
    /// else None.
    #[getter]
    fn selection(&self, py: Python<'_>) -> PyResult<Option<Py<Selection>>> {
        let made = self.selection.get_or_try_init(py, || {
            self.d
                .selection
                .clone()
                .map(|s| Py::new(py, Selection::from(s)))
                .transpose()
        })?;
        Ok(made.as_ref().map(|s| s.clone_ref(py)))
    }

    /// When the state count keeps growing with L: the law fitted to ``states_by_history``
    /// (``law`` ``"exponential"`` (states ~ prefactor * rate**L) or ``"polynomial"`` (states ~
    /// prefactor * L**rate), ``rate``, ``prefactor``, ``r_squared``) and the ``statement`` that
    /// no finite machine was found, as a dict; else None.
    #[getter]
    fn growth<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.d.growth.as_ref().map(|g| document(py, g)).transpose()
    }

    /// ``(L, recurrent states)`` for every history length from 1 to ``max_history``.
    #[getter]
    fn states_by_history(&self) -> Vec<(usize, usize)> {
        self.d.states_by_history.clone()
    }

    /// More states at L than at L/2 (L >= 4): structure that no finite history captures yet, or
    /// that needs longer histories.
    #[getter]
    fn still_growing(&self) -> bool {
        self.d.still_growing
    }

    /// floor(log2 N / h), the longest history the N symbols support (Marton-Shields), h the
    /// ``entropy_rate_estimate``; None when h is 0.
    #[getter]
    fn supported_history(&self) -> Option<usize> {
        self.d.supported_history
    }

    /// What the user should know about the result (a history longer than the data support, a
    /// state count still growing), one line each; also issued as ``cmech.CmechWarning``.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.d.warnings.clone()
    }

    /// The core's diagnostics document: the ``diagnostics`` of ``cmech reconstruct --json``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document(py, &self.d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let d = &self.d;
        Ok(format!(
            "Diagnostics(method={}, max_history={}, recurrent_states={}, transient_states={}, \
             c_mu={}, h_mu={}, still_growing={})",
            quoted(py, d.method.name())?,
            d.max_history,
            d.recurrent_states,
            d.transient_states,
            format(py, d.c_mu, ".6f")?,
            format(py, d.h_mu, ".6f")?,
            if d.still_growing { "True" } else { "False" }
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().d)
    }
}

/// How ``cmech.reconstruct`` chose its machine when no method or test was given.
///
/// ``chosen`` is ``candidates[chosen_index]``, the same object.
#[pyclass(module = "cmech._cmech", frozen)]
pub struct Selection {
    s: core::Selection,
    candidates: PyOnceLock<Vec<Py<Candidate>>>,
}

impl From<core::Selection> for Selection {
    fn from(s: core::Selection) -> Self {
        Selection {
            s,
            candidates: PyOnceLock::new(),
        }
    }
}

impl Selection {
    fn made(&self, py: Python<'_>) -> PyResult<&Vec<Py<Candidate>>> {
        self.candidates.get_or_try_init(py, || {
            self.s
                .candidates
                .iter()
                .map(|c| Py::new(py, Candidate(c.clone())))
                .collect()
        })
    }
}

#[pymethods]
impl Selection {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Selection::from(from_document::<core::Selection>(doc)?))
    }

    /// ``"bic"``: ``-log2 P(data | machine) + (parameters / 2) log2 N``.
    #[getter]
    fn criterion(&self) -> &str {
        &self.s.criterion
    }

    /// Every machine scored (a list of ``Candidate``), in the order they were fitted.
    #[getter]
    fn candidates(&self, py: Python<'_>) -> PyResult<Vec<Py<Candidate>>> {
        Ok(self.made(py)?.iter().map(|c| c.clone_ref(py)).collect())
    }

    /// Index of the returned machine in ``candidates``.
    #[getter]
    fn chosen_index(&self) -> usize {
        self.s.chosen
    }

    /// The candidate returned: ``candidates[chosen_index]``.
    #[getter]
    fn chosen(&self, py: Python<'_>) -> PyResult<Py<Candidate>> {
        Ok(self.made(py)?[self.s.chosen].clone_ref(py))
    }

    /// The choice in words.
    #[getter]
    fn reason(&self) -> &str {
        &self.s.reason
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Selection(criterion={}, chosen={}, candidates={})",
            quoted(py, &self.s.criterion)?,
            self.chosen(py)?.bind(py).repr()?,
            self.s.candidates.len()
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().s)
    }
}

/// One machine a selection scored (``docs/reconstruction.md``, "Model selection").
#[pyclass(module = "cmech._cmech", frozen)]
pub struct Candidate(core::Candidate);

#[pymethods]
impl Candidate {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Candidate(from_document(doc)?))
    }

    /// ``"cssr"``, ``"forward"``, or None for the independent-symbols machine of one state.
    #[getter]
    fn method(&self) -> Option<&'static str> {
        self.0.method.map(|m| m.name())
    }

    /// History length L (0 for the independent-symbols machine).
    #[getter]
    fn max_history(&self) -> usize {
        self.0.max_history
    }

    /// Significance level of the method's tests.
    #[getter]
    fn alpha(&self) -> f64 {
        self.0.alpha
    }

    /// States of the minimised machine (0 when the method gave none).
    #[getter]
    fn states(&self) -> usize {
        self.0.states
    }

    /// Free probabilities of the minimised machine (0 when the method gave none).
    #[getter]
    fn parameters(&self) -> usize {
        self.0.parameters
    }

    /// log2-likelihood of all the data; ``-inf`` when the machine cannot produce the data.
    #[getter]
    fn log_likelihood(&self) -> f64 {
        self.0.log_likelihood
    }

    /// Bits per symbol (``inf`` when the machine cannot produce the data).
    #[getter]
    fn log_loss(&self) -> f64 {
        self.0.log_loss.unwrap_or(f64::INFINITY)
    }

    /// BIC in bits, smaller is better (``inf`` when the machine cannot produce the data).
    #[getter]
    fn score(&self) -> f64 {
        self.0.score
    }

    /// Why the method gave no machine at this length, or None.
    #[getter]
    fn failure(&self) -> Option<&str> {
        self.0.failure.as_deref()
    }

    /// For a candidate made by refining another (``docs/reconstruction.md``, "Refinement"): a
    /// dict of ``from`` (the index of the candidate refined), ``clustered`` (states removed by
    /// collapse), ``merges``, ``splits``, ``redirects`` and ``pruned`` (the moves kept); None for
    /// a fit as its method gave it.
    #[getter]
    fn refined<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.0.refined.as_ref().map(|r| document(py, r)).transpose()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let c = &self.0;
        let method = match c.method {
            Some(m) => quoted(py, m.name())?,
            None => "None".into(),
        };
        let refined = match self.refined(py)? {
            Some(r) => format!(", refined={}", r.repr()?),
            None => String::new(),
        };
        Ok(format!(
            "Candidate(method={method}, max_history={}, states={}, log_loss={}, score={}{refined})",
            c.max_history,
            c.states,
            format(py, self.log_loss(), ".6f")?,
            format(py, c.score, ".1f")?
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().0)
    }
}
