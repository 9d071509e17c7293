"""Information measures of a process estimated from a sample of it, or from its counts, with
confidence intervals: ``cmech estimate``. The estimates, their intervals and the reconstructed
machine's bootstrap are the Rust library's (``cmech_core::estimate``), the data read by ``cmech_io``
as every other function reads them. The interpreter lock is released while reading and
estimating."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from . import _cmech
from ._cmech import AtLength, CtwRate, Estimates, Interval, MachineEstimates
from ._data import Counts, Diagnostics
from ._read import _FORMATS, _file_paths, _int_arg, _invalid, _opt_int, _quote, _stream, _warn
from ._process import _U64, Process, _whole

__all__ = ["AtLength", "CtwRate", "Estimates", "Estimation", "Interval", "MachineEstimates", "estimate"]

#: The defaults of the Rust library (``EstimateOptions::default``, ``DEFAULT_MACHINE_REPLICATES``),
#: shared with the CLI.
DEFAULT_ESTIMATOR: str
DEFAULT_LEVEL: float
DEFAULT_REPLICATES: int
DEFAULT_MACHINE_REPLICATES: int
DEFAULT_SEED: int
(
    DEFAULT_ESTIMATOR,
    DEFAULT_LEVEL,
    DEFAULT_REPLICATES,
    DEFAULT_MACHINE_REPLICATES,
    DEFAULT_SEED,
) = _cmech.estimate_defaults()


class Estimation:
    """The result of :func:`estimate`.

    Attributes
    ----------
    data : str
        What was read: the files or count shards (joined by ``", "``), ``"<ndarray>"``,
        ``"<str>"``, ``"<list>"``, ``"<bytes>"`` for data in memory, or the name of
        :class:`~cmech.Counts` given.
    alphabet : list of str
        The symbol names, in index order.
    blocks : Estimates
        H(L), h(L) and E(L) at every usable length, and h_mu and E, from the data's words,
        intervals from their block bootstrap (``blocks.resampling == "words"``), with h_mu by
        context-tree weighting beside them (``blocks.ctw``). For counts, the machine's
        ``block_entropies``: intervals from the machine's samples (``"machine"``), no ``ctw``.
    machine : MachineEstimates or None
        The reconstructed machine's C_mu, h_mu and E, intervals from its parametric bootstrap,
        and the block entropies with intervals from the same samples
        (``machine.block_entropies``); None when ``machine_replicates=0``.
    process : Process or None
        That machine (the one :func:`cmech.reconstruct` selects from the same data), or None.
    diagnostics : Diagnostics or None
        Its reconstruction's diagnostics, or None.
    """

    __slots__ = ("data", "alphabet", "blocks", "machine", "process", "diagnostics")

    def __init__(
        self,
        data: str,
        alphabet: List[str],
        blocks: Estimates,
        machine: Optional[MachineEstimates],
        process: Optional[Process],
        diagnostics: Optional[Diagnostics],
    ) -> None:
        self.data = data
        self.alphabet = alphabet
        self.blocks = blocks
        self.machine = machine
        self.process = process
        self.diagnostics = diagnostics

    def to_dict(self) -> Dict[str, Any]:
        """``{"data", "alphabet", "blocks", "machine"}``: the document ``cmech estimate --json``
        prints."""
        return {
            "data": self.data,
            "alphabet": list(self.alphabet),
            "blocks": self.blocks.to_dict(),
            "machine": None if self.machine is None else self.machine.to_dict(),
        }

    def __repr__(self) -> str:
        b = self.blocks
        text = (
            f"Estimation(data={self.data!r}, symbols={b.symbols}, h_mu={b.h_mu.value:.6f}, "
            f"E={b.E.value:.6f}"
        )
        if self.machine is not None:
            m = self.machine
            text += f", machine_states={m.states}, C_mu={m.C_mu.value:.6f}"
        return text + ")"


def _number(value: Any, what: str) -> float:
    """A real number; the Rust library checks its range."""
    if isinstance(value, bool):
        raise _invalid(f"{what} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _invalid(f"{what} must be a number, got {value!r}") from None


def _counts_given(data: Any, alphabet: Any, format: Optional[str], lines: bool) -> Optional[Tuple[Counts, str]]:
    """The counts ``data`` is (a :class:`Counts`, or paths to count shards, loaded and added up)
    and their name in ``Estimation.data``, or None for data."""
    read_given = alphabet is not None or format is not None or lines
    if isinstance(data, Counts):
        if read_given:
            raise _invalid("alphabet, format and lines apply to data, not to Counts")
        return data, data.name
    paths = _file_paths(data)
    if paths is None or not _cmech.are_shards(paths):
        return None
    if read_given:
        raise _invalid("alphabet, format and lines apply to data files, not to count shards")
    return Counts.load(paths), ", ".join(paths)


def estimate(
    data: Any,
    max_length: Optional[int] = None,
    *,
    estimator: str = DEFAULT_ESTIMATOR,
    level: float = DEFAULT_LEVEL,
    replicates: int = DEFAULT_REPLICATES,
    machine_replicates: int = DEFAULT_MACHINE_REPLICATES,
    block: Optional[float] = None,
    seed: int = DEFAULT_SEED,
    alphabet: Union[None, str, Sequence[Union[str, int]]] = None,
    format: Optional[str] = None,
    lines: bool = False,
    threads: Optional[int] = None,
) -> Estimation:
    """Estimates the block entropies, entropy rate and excess entropy of the process behind
    ``data``, with confidence intervals, beside the measures of the machine reconstructed from
    it: ``cmech estimate``.

    ``data`` is anything :func:`cmech.count` reads (a numpy integer array, a list of symbols or
    of sequences, a str of characters, bytes, a ``pathlib.Path`` to data files, with
    ``alphabet``, ``format`` and ``lines`` as there), or counts: :class:`~cmech.Counts`, or
    paths to count shards (written by :meth:`Counts.save`, ``cmech count`` or ``cmech merge``,
    added up as :meth:`Counts.load` adds them). Counts do not hold the words in order, so no
    bootstrap of words can resample them: their intervals come from the machine's samples
    only (below).

    **From the words** (``.blocks``, an :class:`Estimates`): each block entropy H(L) comes from
    the counts of all overlapping words of L symbols, by ``estimator``: ``"grassberger"``
    (Grassberger 2003, the default), ``"plug-in"`` (the frequencies' entropy, biased low),
    ``"miller-madow"`` or ``"nsb"`` (Nemenman, Shafee & Bialek). Then h(L) = H(L) - H(L-1) and
    E(L) = H(L) - L h(L). Lengths are used up to ``max_length`` (default: the longest the data
    support, at most 16) while the words seen have at least two observations each on average.

    Each interval is ``value +- z * std_error``, z the normal quantile of ``level``, the standard
    error that of ``replicates`` replicates of a **stationary block bootstrap of word indices**:
    the series of words (one starting at each step) is cut into blocks of geometric length with
    mean ``block`` words (default: chosen by Politis & White) and resampled, so the dependence
    between nearby words is kept and no join makes a word the data never hold. h_mu and E are
    h(L) and E(L) at ``blocks.rate_length``, the shortest length that no longer one differs from
    by more than the bootstrap's spread of the difference. ``blocks.resampling`` is ``"words"``
    and ``blocks.mean_block`` the mean block length used.

    Beside them, ``blocks.ctw`` (a :class:`CtwRate`) is h_mu by **context-tree weighting**: the
    mean code length of the data, each symbol coded from every context up to the longest usable
    length (``ctw.depth``), weighed instead of one length chosen; its interval is the sampling
    spread of that mean, and the value lies above h_mu by CTW's model cost (of order
    log2(n) / n). Counts hold no order to code: their ``ctw`` is None.

    **From the machine** (``.machine``, a :class:`MachineEstimates`): the machine
    :func:`cmech.reconstruct` selects from the data, its C_mu, h_mu and E exact for it, with
    intervals from its **parametric bootstrap**: ``machine_replicates`` samples of the machine
    as long as the data, each reconstructed and measured; their spread is the uncertainty, and
    their state counts show how sure the structure is. Where h(L) converges slowly (infinite
    Markov order, as the Even process) the words' h_mu stays above the process's while the
    machine's does not. The same samples give the data's block entropies, h_mu and E a second
    set of intervals, ``machine.block_entropies`` (an :class:`Estimates` whose ``resampling`` is
    ``"machine"``). ``machine_replicates=0`` skips the machine (``.machine``, ``.process`` and
    ``.diagnostics`` are None).

    **From counts**: the values are the counts' own (the same as the data's, up to the longest
    word the counts hold), and ``.blocks`` is ``.machine.block_entropies``, whose intervals come
    from the machine's samples, the only resampling counts allow; ``mean_block`` is None and
    ``ctw`` None. ``machine_replicates`` must then be at least 2 (``replicates``, of the word
    bootstrap, is not used), and ``block``, ``alphabet``, ``format`` and ``lines`` apply to data
    only.

    ``seed`` seeds both bootstraps: the same seed gives the same result for any ``threads``.

    >>> import cmech
    >>> gm = cmech.Process.named("golden-mean")
    >>> e = cmech.estimate(gm.sample(20_000, seed=1), replicates=200, machine_replicates=20)
    >>> 2 / 3 in e.blocks.h_mu, e.machine.states
    (True, 2)
    >>> c = cmech.estimate(cmech.count(gm.sample(20_000, seed=1)), machine_replicates=20)
    >>> c.blocks.resampling, c.blocks.mean_block, c.blocks.ctw, 2 / 3 in c.machine.h_mu
    ('machine', None, None, True)

    Warnings (lengths cut for want of data, h(L) still falling at the longest well-sampled
    length, a one-symbol alphabet, the reconstruction's) are issued as
    :class:`~cmech.CmechWarning` and kept in ``.blocks.warnings`` and ``.diagnostics.warnings``.

    Raises what :func:`cmech.count` raises for data and :meth:`Counts.load` for count shards,
    and :class:`~cmech.InvalidArgumentError` for an unknown estimator, ``level`` outside (0, 1),
    ``replicates`` outside 2 to 10^6 or ``machine_replicates`` outside 2 to 10^5
    (``machine_replicates`` may be 0 for data, not for counts), ``block`` below 1, ``max_length`` below 1, or ``block``, ``alphabet``,
    ``format`` or ``lines`` given with counts.
    """
    max_length = _opt_int(max_length, "max_length")
    if not isinstance(estimator, str):
        raise _invalid(f"estimator must be a name, got {estimator!r}")
    level = _number(level, "level")
    replicates = _int_arg(replicates, "replicates")
    machine_replicates = _int_arg(machine_replicates, "machine_replicates", lo=0)
    block = None if block is None else _number(block, "block")
    seed = _whole(seed, "seed", 0, _U64)
    threads = _opt_int(threads, "threads")
    if format is not None and format not in _FORMATS:
        raise _invalid(f"unknown format {_quote(format)} (known: {', '.join(_FORMATS)})")
    counts = _counts_given(data, alphabet, format, bool(lines))
    if counts is not None:
        given, name = counts
        estimates, presentation, diagnostics = _cmech.estimate_counts(
            given._c, max_length, estimator, level, replicates, machine_replicates, block, seed, threads
        )
        _warn(diagnostics.warnings)
        blocks = estimates.block_entropies
        _warn(blocks.warnings)
        return Estimation(name, given.alphabet, blocks, estimates, Process(presentation), diagnostics)
    stream = _stream(data, "data", alphabet, format)
    alphabet_names, read_warnings, blocks, machine = _cmech.estimate_data(
        stream, format, bool(lines), max_length, estimator, level, replicates, machine_replicates, block, seed, threads
    )
    _warn(read_warnings)
    _warn(blocks.warnings)
    if machine is None:
        return Estimation(stream[4], alphabet_names, blocks, None, None, None)
    estimates, presentation, diagnostics = machine
    _warn(diagnostics.warnings)
    return Estimation(stream[4], alphabet_names, blocks, estimates, Process(presentation), diagnostics)
