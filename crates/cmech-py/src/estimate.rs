//! Estimates from data or counts (`cmech_core::estimate`): the native half of `cmech.estimate`,
//! and the classes `Estimates`, `AtLength`, `Interval`, `CtwRate` and `MachineEstimates` wrapping
//! the core's results. The data are read by `cmech_io` as the CLI reads them (files, or data in
//! memory through `Input::from_memory`); counts are a `cmech.Counts`' shard, estimated through
//! their machine as the CLI estimates count shards. The options are checked by the core and
//! refused in the terms of Python's keywords. An object inside another (an estimate's lengths, an interval) is made once, when
//! first asked for, so that it is the same object every time, as an attribute is. The interpreter
//! lock is released while reading and estimating.

pub(crate) mod ctw;
pub(crate) mod machine;

use cmech_core::estimate::{self as core, EstimateOptions, DEFAULT_MACHINE_REPLICATES};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::counts::NativeCounts;
use crate::document::{document, format, from_document, quoted, reduce, Reduced};
use crate::errors::{invalid_argument, io_to_py, quoting, size, to_py, warning_text, IntoPyResult};
use crate::io::{hold, opener, parse_format, Stream};
use crate::presentation::Presentation;
use crate::reconstruct::diagnostics::Diagnostics;
use crate::threads::on_threads;
use ctw::CtwRate;
use machine::MachineEstimates;

/// The defaults of an estimate: estimator, level, replicates, machine replicates, seed.
#[pyfunction]
pub fn estimate_defaults() -> (&'static str, f64, usize, usize, u64) {
    let d = EstimateOptions::default();
    (
        d.estimator.name(),
        d.level,
        d.replicates,
        DEFAULT_MACHINE_REPLICATES,
        d.seed,
    )
}

/// The options given, checked by the core before any data is read; a refusal names Python's
/// keyword and quotes the value given (`max_length` and `replicates` as given, before
/// conversion).
#[allow(clippy::too_many_arguments)]
fn options(
    py: Python<'_>,
    max_length: Option<i64>,
    estimator: &str,
    level: f64,
    replicates: i64,
    machine_replicates: usize,
    block: Option<f64>,
    seed: u64,
) -> PyResult<EstimateOptions> {
    let opts = EstimateOptions {
        max_length: max_length.map(size),
        estimator: estimator.parse().py(py)?,
        level,
        replicates: size(replicates),
        seed,
        block,
        machine_replicates,
    };
    opts.check().map_err(|e| {
        let given = [("max_length", max_length), ("replicates", Some(replicates))];
        to_py(py, quoting(e, &given))
    })?;
    Ok(opts)
}

/// What [`estimate_data`] returns: the alphabet, what reading the data had to say, the block
/// estimates, and unless skipped the machine's (its estimates, the machine, its diagnostics).
type Estimated = (
    Vec<String>,
    Vec<String>,
    Estimates,
    Option<(MachineEstimates, Presentation, Diagnostics)>,
);

/// Estimates from the stream `data`, as `cmech estimate` makes them: the block estimates, and
/// when `machine_replicates` is not 0 the reconstructed machine's with that many replicates.
#[pyfunction]
#[pyo3(signature = (data, format, lines, max_length, estimator, level, replicates, machine_replicates, block, seed, threads))]
#[allow(clippy::too_many_arguments)]
pub fn estimate_data<'py>(
    py: Python<'py>,
    data: Stream<'py>,
    format: Option<&str>,
    lines: bool,
    max_length: Option<i64>,
    estimator: &str,
    level: f64,
    replicates: i64,
    machine_replicates: usize,
    block: Option<f64>,
    seed: u64,
    threads: Option<i64>,
) -> PyResult<Estimated> {
    let opts = options(
        py,
        max_length,
        estimator,
        level,
        replicates,
        machine_replicates,
        block,
        seed,
    )?;
    let format = parse_format(py, format)?;
    let (paths, parts, alphabet, name, source) = data;
    let held = parts.map(hold).transpose()?;
    let open = opener(
        paths,
        held.as_deref(),
        alphabet,
        format,
        lines,
        name,
        source,
    )?;
    let done = py
        .detach(|| {
            on_threads(threads, || -> cmech_io::Result<_> {
                let input = open.open()?;
                let names = input.alphabet().to_vec();
                let read: Vec<String> = input.warnings().iter().map(warning_text).collect();
                let sequences = input.sequences()?;
                let mut blocks = core::estimate(&sequences, names.len(), &opts)?;
                let machine = (opts.machine_replicates > 0)
                    .then(|| core::estimate_machine(&sequences, &names, &opts, &|_| {}))
                    .transpose()?;
                if let Some((_, m)) = &machine {
                    core::compare_with_machine(&mut blocks, m);
                }
                Ok((names, read, blocks, machine))
            })
        })
        .map_err(|m| invalid_argument(py, m))?;
    let (names, read, blocks, machine) = done.map_err(|e| io_to_py(py, e))?;
    let machine = machine.map(|(fit, m)| {
        (
            MachineEstimates::from(m),
            Presentation { hmm: fit.machine },
            Diagnostics::from(fit.diagnostics),
        )
    });
    Ok((names, read, Estimates::from(blocks), machine))
}

/// The machine of `counts` and its estimates, as `cmech estimate` makes them from count shards:
/// counts hold no order to resample, so the block entropies' intervals come from the machine's
/// samples only (the machine estimates' `block_entropies`); `machine_replicates` must be at least
/// 2 and `block` left out, which the core says.
#[pyfunction]
#[pyo3(signature = (counts, max_length, estimator, level, replicates, machine_replicates, block, seed, threads))]
#[allow(clippy::too_many_arguments)]
pub fn estimate_counts(
    py: Python<'_>,
    counts: &NativeCounts,
    max_length: Option<i64>,
    estimator: &str,
    level: f64,
    replicates: i64,
    machine_replicates: usize,
    block: Option<f64>,
    seed: u64,
    threads: Option<i64>,
) -> PyResult<(MachineEstimates, Presentation, Diagnostics)> {
    let opts = options(
        py,
        max_length,
        estimator,
        level,
        replicates,
        machine_replicates,
        block,
        seed,
    )?;
    let shard = &counts.shard;
    let names = &shard.info.alphabet;
    let (fit, m) = py
        .detach(|| {
            on_threads(threads, || {
                core::estimate_counts(&shard.table, names, &opts, &|_| {})
            })
        })
        .map_err(|m| invalid_argument(py, m))?
        .py(py)?;
    Ok((
        MachineEstimates::from(m),
        Presentation { hmm: fit.machine },
        Diagnostics::from(fit.diagnostics),
    ))
}

/// `x` to six decimals, as the reprs show values in bits.
fn bits(py: Python<'_>, x: f64) -> PyResult<String> {
    format(py, x, ".6f")
}

/// An estimate in bits with its interval: ``value +- z * std_error``, z the normal quantile of
/// the confidence level.
///
/// ``x in interval`` says whether ``lower <= x <= upper``. ``Interval(doc)`` builds one from its
/// document (what ``to_dict()`` returns).
#[pyclass(module = "cmech._cmech", frozen)]
pub struct Interval(core::Interval);

fn interval(py: Python<'_>, i: &core::Interval) -> PyResult<Py<Interval>> {
    Py::new(py, Interval(*i))
}

#[pymethods]
impl Interval {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Interval(from_document(doc)?))
    }

    /// The estimate, in bits.
    #[getter]
    fn value(&self) -> f64 {
        self.0.value
    }

    /// Lower end of the interval: ``value - z * std_error``.
    #[getter]
    fn lower(&self) -> f64 {
        self.0.lower
    }

    /// Upper end of the interval: ``value + z * std_error``.
    #[getter]
    fn upper(&self) -> f64 {
        self.0.upper
    }

    /// The standard error: the standard deviation of the estimate over the bootstrap's
    /// replicates.
    #[getter]
    fn std_error(&self) -> f64 {
        self.0.std_error
    }

    fn __contains__(&self, x: f64) -> bool {
        self.0.lower <= x && x <= self.0.upper
    }

    /// ``{"value", "lower", "upper", "std_error"}``, as ``cmech estimate --json`` prints an
    /// interval.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let i = &self.0;
        Ok(format!(
            "Interval(value={}, lower={}, upper={}, std_error={})",
            bits(py, i.value)?,
            bits(py, i.lower)?,
            bits(py, i.upper)?,
            bits(py, i.std_error)?
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().0)
    }
}

/// The estimates at one word length L, each an ``Interval`` (from the word bootstrap, or from the
/// machine's samples, as their ``Estimates`` say).
#[pyclass(module = "cmech._cmech", frozen)]
pub struct AtLength {
    a: core::AtLength,
    intervals: PyOnceLock<[Py<Interval>; 3]>,
}

impl From<core::AtLength> for AtLength {
    fn from(a: core::AtLength) -> Self {
        AtLength {
            a,
            intervals: PyOnceLock::new(),
        }
    }
}

impl AtLength {
    /// H(L), h(L) and E(L).
    fn made(&self, py: Python<'_>) -> PyResult<&[Py<Interval>; 3]> {
        self.intervals.get_or_try_init(py, || {
            let a = &self.a;
            Ok::<_, PyErr>([
                interval(py, &a.block_entropy)?,
                interval(py, &a.entropy_rate)?,
                interval(py, &a.excess_entropy)?,
            ])
        })
    }
}

#[pymethods]
impl AtLength {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(AtLength::from(from_document::<core::AtLength>(doc)?))
    }

    /// The word length L.
    #[getter]
    fn length(&self) -> usize {
        self.a.length
    }

    /// Words of length L counted (overlapping, never across the end of a sequence).
    #[getter]
    fn words(&self) -> u64 {
        self.a.words
    }

    /// Distinct words of length L seen.
    #[getter]
    fn distinct(&self) -> usize {
        self.a.distinct
    }

    /// The block entropy H(L).
    #[getter]
    fn block_entropy(&self, py: Python<'_>) -> PyResult<Py<Interval>> {
        Ok(self.made(py)?[0].clone_ref(py))
    }

    /// The entropy-rate estimate h(L) = H(L) - H(L-1).
    #[getter]
    fn entropy_rate(&self, py: Python<'_>) -> PyResult<Py<Interval>> {
        Ok(self.made(py)?[1].clone_ref(py))
    }

    /// The finite-length excess entropy E(L) = H(L) - L h(L).
    #[getter]
    fn excess_entropy(&self, py: Python<'_>) -> PyResult<Py<Interval>> {
        Ok(self.made(py)?[2].clone_ref(py))
    }

    /// The document of this length, one of the ``lengths`` of ``cmech estimate --json``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document(py, &self.a)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let a = &self.a;
        Ok(format!(
            "AtLength(length={}, words={}, distinct={}, H={}, h={}, E={})",
            a.length,
            a.words,
            a.distinct,
            bits(py, a.block_entropy.value)?,
            bits(py, a.entropy_rate.value)?,
            bits(py, a.excess_entropy.value)?
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().a)
    }
}

/// A sample's block entropies, entropy rate and excess entropy, with intervals from a stationary
/// block bootstrap of its words, or from samples of its reconstructed machine (``resampling``:
/// the only intervals counts can have; ``cmech estimate --help``).
///
/// Built by ``cmech.estimate`` (its ``blocks``, and its machine's ``block_entropies``);
/// ``Estimates(doc)`` builds one from the core's
/// document (what ``to_dict()`` returns, or the ``blocks`` of ``cmech estimate --json``).
#[pyclass(module = "cmech._cmech", frozen)]
pub struct Estimates {
    e: core::Estimates,
    lengths: PyOnceLock<Vec<Py<AtLength>>>,
    rate: PyOnceLock<[Py<Interval>; 2]>,
    ctw: PyOnceLock<Option<Py<CtwRate>>>,
}

impl From<core::Estimates> for Estimates {
    fn from(e: core::Estimates) -> Self {
        Estimates {
            e,
            lengths: PyOnceLock::new(),
            rate: PyOnceLock::new(),
            ctw: PyOnceLock::new(),
        }
    }
}

impl Estimates {
    /// h_mu and E.
    fn made(&self, py: Python<'_>) -> PyResult<&[Py<Interval>; 2]> {
        self.rate.get_or_try_init(py, || {
            Ok::<_, PyErr>([
                interval(py, &self.e.entropy_rate)?,
                interval(py, &self.e.excess_entropy)?,
            ])
        })
    }

    /// The values of one interval of every length, from L = 1.
    fn values(&self, of: fn(&core::AtLength) -> f64) -> impl Iterator<Item = f64> + '_ {
        self.e.lengths.iter().map(of)
    }
}

#[pymethods]
impl Estimates {
    #[new]
    fn new(doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Estimates::from(from_document::<core::Estimates>(doc)?))
    }

    /// How each H(L) was estimated: ``"plug-in"``, ``"miller-madow"``, ``"grassberger"`` or
    /// ``"nsb"``.
    #[getter]
    fn estimator(&self) -> &'static str {
        self.e.estimator.name()
    }

    /// Confidence level of the intervals.
    #[getter]
    fn level(&self) -> f64 {
        self.e.level
    }

    /// Replicates of the resampling: of the word bootstrap, or the machine's samples.
    #[getter]
    fn replicates(&self) -> usize {
        self.e.replicates
    }

    /// Seed of the bootstrap.
    #[getter]
    fn seed(&self) -> u64 {
        self.e.seed
    }

    /// Where the intervals' replicates come from: ``"words"`` (a stationary block bootstrap of
    /// the data's word indices) or ``"machine"`` (samples of the reconstructed machine, the only
    /// resampling counts allow).
    #[getter]
    fn resampling(&self) -> &'static str {
        match self.e.resampling {
            core::Resampling::Words { .. } => "words",
            core::Resampling::Machine { .. } => "machine",
        }
    }

    /// Mean block length of the word bootstrap, in words (None when the intervals come from
    /// the machine's samples).
    #[getter]
    fn mean_block(&self) -> Option<f64> {
        match self.e.resampling {
            core::Resampling::Words { mean_block, .. } => Some(mean_block),
            core::Resampling::Machine { .. } => None,
        }
    }

    /// Whether ``mean_block`` was chosen from the data (Politis & White) rather than given
    /// (False when there is no word bootstrap).
    #[getter]
    fn mean_block_chosen(&self) -> bool {
        matches!(
            self.e.resampling,
            core::Resampling::Words {
                mean_block_chosen: true,
                ..
            }
        )
    }

    /// Symbols in the sample.
    #[getter]
    fn symbols(&self) -> u64 {
        self.e.symbols
    }

    /// Sequences in the sample.
    #[getter]
    fn sequences(&self) -> u64 {
        self.e.sequences
    }

    /// Letters of the alphabet (the ``alphabet`` of the document).
    #[getter]
    fn alphabet_size(&self) -> usize {
        self.e.alphabet
    }

    /// The estimates at L = 1 to the longest usable length (a list of ``AtLength``): lengths
    /// whose words have fewer than two observations each on average are left out.
    #[getter]
    fn lengths(&self, py: Python<'_>) -> PyResult<Vec<Py<AtLength>>> {
        let made = self.lengths.get_or_try_init(py, || {
            self.e
                .lengths
                .iter()
                .map(|a| Py::new(py, AtLength::from(a.clone())))
                .collect::<PyResult<Vec<_>>>()
        })?;
        Ok(made.iter().map(|a| a.clone_ref(py)).collect())
    }

    /// Block entropies H(0) = 0, H(1), ..., H(L) (float64 array, indexed by L, as
    /// ``Measures.block_entropies``).
    #[getter]
    fn block_entropies<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        let h = std::iter::once(0.0).chain(self.values(|a| a.block_entropy.value));
        PyArray1::from_iter(py, h)
    }

    /// h(L) = H(L) - H(L-1) for L = 1 .. len(lengths) (float64 array, as
    /// ``Measures.entropy_rate_estimates``): they fall towards h_mu from above.
    #[getter]
    fn entropy_rate_estimates<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_iter(py, self.values(|a| a.entropy_rate.value))
    }

    /// E(L) = H(L) - L h(L) for L = 1 .. len(lengths) (float64 array): they rise towards E.
    #[getter]
    fn excess_entropy_estimates<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_iter(py, self.values(|a| a.excess_entropy.value))
    }

    /// The entropy rate h_mu: h(L) at ``rate_length`` (an ``Interval``).
    #[getter]
    fn h_mu(&self, py: Python<'_>) -> PyResult<Py<Interval>> {
        Ok(self.made(py)?[0].clone_ref(py))
    }

    /// The excess entropy E: E(L) at ``rate_length`` (an ``Interval``).
    #[getter(E)]
    fn excess_entropy(&self, py: Python<'_>) -> PyResult<Py<Interval>> {
        Ok(self.made(py)?[1].clone_ref(py))
    }

    /// The length at which h_mu and E are read: the shortest L whose h(L) no longer
    /// well-sampled length differs from by more than the bootstrap's spread of the difference.
    #[getter]
    fn rate_length(&self) -> usize {
        self.e.rate_length
    }

    /// h_mu by context-tree weighting (a ``CtwRate``), an estimator that weighs every context
    /// length up to the longest usable one instead of choosing one; None for counts, which hold
    /// no order to code (and for data too short to code twenty symbols).
    #[getter]
    fn ctw(&self, py: Python<'_>) -> PyResult<Option<Py<CtwRate>>> {
        let made = self.ctw.get_or_try_init(py, || {
            self.e
                .ctw
                .map(|c| Py::new(py, CtwRate::from(c)))
                .transpose()
        })?;
        Ok(made.as_ref().map(|c| c.clone_ref(py)))
    }

    /// How the values were obtained, in words.
    #[getter]
    fn method(&self) -> &str {
        &self.e.method
    }

    /// What the user should know (lengths cut for want of data, h(L) still falling, a constant
    /// stream), one line each; also issued as ``cmech.CmechWarning``.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.e.warnings.clone()
    }

    /// The core's document: the ``blocks`` of ``cmech estimate --json``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        document(py, &self.e)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let e = &self.e;
        Ok(format!(
            "Estimates(estimator={}, symbols={}, lengths={}, rate_length={}, h_mu={}, E={}, \
             resampling={})",
            quoted(py, e.estimator.name())?,
            e.symbols,
            e.lengths.len(),
            e.rate_length,
            bits(py, e.entropy_rate.value)?,
            bits(py, e.excess_entropy.value)?,
            quoted(py, self.resampling())?
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        reduce(slf.as_any(), &slf.get().e)
    }
}
