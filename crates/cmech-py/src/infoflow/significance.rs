//! The results of the significance tests of `cmech_core::infoflow::significance`: the classes
//! `SurrogateTest` and `ChiSquareTest` wrapping the core's, what `cmech.significance` (and an
//! estimator given `test`) returns.

use cmech_core::infoflow;
use pyo3::prelude::*;

use crate::document::{format, from_document, reduce, Reduced};

/// A surrogate (permutation) test of an estimate: the source windows (for TE the whole source
/// history, as JIDT permutes it) are shuffled over the observations, which keeps their
/// distribution but breaks any relation to the target; the estimate is recomputed on each.
#[pyclass(module = "cmech._cmech", frozen)]
pub struct SurrogateTest(infoflow::SurrogateTest);

impl From<infoflow::SurrogateTest> for SurrogateTest {
    fn from(t: infoflow::SurrogateTest) -> Self {
        SurrogateTest(t)
    }
}

#[pymethods]
impl SurrogateTest {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(SurrogateTest(from_document(doc)?))
    }

    /// ``"surrogate"``: which test this is.
    #[classattr]
    fn kind() -> &'static str {
        "surrogate"
    }

    /// The estimate on the data, in bits.
    #[getter]
    fn observed(&self) -> f64 {
        self.0.observed
    }

    /// ``(1 + at_least) / (1 + surrogates)``.
    #[getter]
    fn p_value(&self) -> f64 {
        self.0.p_value
    }

    /// Number of surrogates.
    #[getter]
    fn surrogates(&self) -> usize {
        self.0.surrogates
    }

    /// Surrogates whose estimate is at least the observed one.
    #[getter]
    fn at_least(&self) -> usize {
        self.0.at_least
    }

    /// Mean of the surrogate estimates.
    #[getter]
    fn mean(&self) -> f64 {
        self.0.mean
    }

    /// Standard deviation of the surrogate estimates.
    #[getter]
    fn std(&self) -> f64 {
        self.0.std
    }

    /// ``observed - mean``: the estimate with its bias under independence removed ("effective
    /// transfer entropy", Marschinski & Kantz 2002).
    #[getter]
    fn effective(&self) -> f64 {
        self.0.effective
    }

    /// Seed of the permutations (the same seed gives the same test, for any number of threads).
    #[getter]
    fn seed(&self) -> u64 {
        self.0.seed
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let t = &self.0;
        Ok(format!(
            "SurrogateTest(observed={}, p_value={}, surrogates={}, mean={}, std={}, seed={})",
            format(py, t.observed, ".6g")?,
            format(py, t.p_value, ".4g")?,
            t.surrogates,
            format(py, t.mean, ".6g")?,
            format(py, t.std, ".3g")?,
            t.seed
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().0)
    }
}

/// The analytic chi-square test: under independence 2 N ln(2) I is asymptotically chi-square
/// with (|X| - 1)(|Y| - 1)|Z| degrees of freedom (Barnett & Bossomaier 2012; JIDT's analytic
/// test). Valid when every state is well sampled; with long histories prefer surrogates.
#[pyclass(module = "cmech._cmech", frozen)]
pub struct ChiSquareTest(infoflow::ChiSquareTest);

impl From<infoflow::ChiSquareTest> for ChiSquareTest {
    fn from(t: infoflow::ChiSquareTest) -> Self {
        ChiSquareTest(t)
    }
}

#[pymethods]
impl ChiSquareTest {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(ChiSquareTest(from_document(doc)?))
    }

    /// ``"chi-square"``: which test this is.
    #[classattr]
    fn kind() -> &'static str {
        "chi-square"
    }

    /// The estimate on the data, in bits.
    #[getter]
    fn observed(&self) -> f64 {
        self.0.observed
    }

    /// ``2 N ln(2) observed``.
    #[getter]
    fn statistic(&self) -> f64 {
        self.0.statistic
    }

    /// Degrees of freedom.
    #[getter]
    fn df(&self) -> f64 {
        self.0.df
    }

    /// Survival function of the chi-square distribution at ``statistic``.
    #[getter]
    fn p_value(&self) -> f64 {
        self.0.p_value
    }

    /// N, the number of observations counted.
    #[getter]
    fn observations(&self) -> usize {
        self.0.observations
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let t = &self.0;
        Ok(format!(
            "ChiSquareTest(observed={}, statistic={}, df={}, p_value={})",
            format(py, t.observed, ".6g")?,
            format(py, t.statistic, ".6g")?,
            format(py, t.df, "g")?,
            format(py, t.p_value, ".4g")?
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().0)
    }
}
