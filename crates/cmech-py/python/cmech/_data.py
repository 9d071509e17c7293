"""Epsilon-machines from data: counting symbol sequences into word counts, and reconstruction.
How Python data are read is in ``_read``.

The counting and the reconstruction are the Rust library's (``cmech_io`` for files and count
shards, ``cmech_core`` for the rest), the same code as ``cmech count``, ``cmech merge`` and
``cmech reconstruct``. The interpreter lock is released while counting and reconstructing.
"""

from __future__ import annotations

import operator
import os
import warnings
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _cmech
from ._cmech import Candidate, Diagnostics, HeldOut, HeldOutScore, Selection
from ._errors import CmechWarning, InvalidArgumentError, InvalidDataError
from ._process import Process
from ._read import (
    _FORMATS,
    PathLike,
    _invalid,
    _int_arg,
    _opt_int,
    _quote,
    _paths,
    _file_paths,
    _alphabet_entries,
    _alphabet_text,
    _sequences,
    _source,
    _warn,
)

__all__ = [
    "Candidate",
    "Counts",
    "Diagnostics",
    "HeldOut",
    "HeldOutScore",
    "Reconstruction",
    "Selection",
    "count",
    "reconstruct",
    "reconstruction_methods",
]

#: The defaults of the Rust library (``ReconstructOptions::default``), shared with the CLI.
DEFAULT_MAX_HISTORY: int
DEFAULT_ALPHA: float
DEFAULT_TEST: str
DEFAULT_METHOD: str
DEFAULT_MAX_HISTORY, DEFAULT_ALPHA, DEFAULT_TEST, DEFAULT_METHOD = _cmech.reconstruct_defaults()

_METHODS: Dict[str, str] = dict(_cmech.reconstruction_methods())


def reconstruction_methods() -> Dict[str, str]:
    """The reconstruction methods, name -> one-line description (``docs/reconstruction.md``)."""
    return dict(_METHODS)


# ----- argument checks ----------------------------------------------------------------------------


def _alpha(alpha: Any) -> float:
    """A number; the Rust library checks that it is a significance level."""
    if isinstance(alpha, bool):
        raise _invalid(f"alpha {alpha!r} is not a significance level in (0, 1)")
    try:
        return float(alpha)
    except (TypeError, ValueError):
        raise _invalid(f"alpha {alpha!r} is not a significance level in (0, 1)") from None


class _Plan:
    """What to count: words of up to ``window`` symbols, or what a reconstruction with ``method``
    and ``max_history`` needs (a selection when no method is given). The values are checked, and
    the defaults applied, by the Rust library (``Request::plan``)."""

    __slots__ = ("method", "max_history", "future", "window")

    def __init__(self, method: Any, max_history: Any, future: Any, window: Any) -> None:
        self.method: Optional[str] = method
        self.window = _opt_int(window, "window")
        if self.window is not None and max_history is not None:
            raise _invalid("give max_history or window, not both")
        self.max_history = _opt_int(max_history, "max_history")
        self.future = _opt_int(future, "future")

    def args(self) -> Tuple[Optional[str], Optional[int], Optional[int], Optional[int]]:
        return (self.method, self.max_history, self.future, self.window)


# ----- count tables -------------------------------------------------------------------------------


class Counts:
    """The word counts of symbol data: every word of up to :attr:`window` symbols, never across
    the end of a sequence. The sufficient statistics of :func:`reconstruct`.

    Make them with :func:`count` or :meth:`Counts.load`. Counts of the same alphabet and window add
    up: ``a.merge(b)``, ``a + b`` or ``sum([a, b, c])`` are the counts of all their sequences
    together, so counting can be split over files, processes or machines. :meth:`save` writes a
    count shard in the format of ``cmech count`` (``docs/count-format.md``), which ``cmech merge``
    and ``cmech reconstruct`` read, and ``cmech count`` writes shards that :meth:`load` reads.

    Attributes
    ----------
    alphabet : list of str
        The symbol names, in index order.
    window : int
        The longest word counted.
    max_history : int or None
        The history length the counts were made for (``None`` when counted for a ``window``).
    symbols, sequences : int
        Symbols and (non-empty) sequences counted.
    sources : list of dict
        Where the counts come from: ``path`` (a file, ``"-"`` for stdin, or ``"<str>"``,
        ``"<ndarray>"``, ``"<list>"``, ``"<bytes>"`` for data counted from Python), ``range``,
        ``format`` and ``lines``, as in the shard's sidecar.
    warnings : list of str
        What reading the data had to say (an alphabet of one symbol, spaces as symbols).
    name : str
        The counts' name in messages: the shard's path, or the sources.
    """

    __slots__ = ("_c", "_name", "_warnings")

    def __init__(self, native: "_cmech.NativeCounts", name: str, warnings: Sequence[str] = ()) -> None:
        """Wraps native counts; use :func:`count` or :meth:`Counts.load`."""
        if not isinstance(native, _cmech.NativeCounts):
            raise TypeError("make Counts with cmech.count(...) or cmech.Counts.load(path)")
        self._c = native
        self._name = name
        self._warnings = list(warnings)

    @property
    def alphabet(self) -> List[str]:
        return self._c.alphabet

    @property
    def window(self) -> int:
        return self._c.window

    @property
    def max_history(self) -> Optional[int]:
        return self._c.max_history

    @property
    def symbols(self) -> int:
        return self._c.symbols

    @property
    def sequences(self) -> int:
        return self._c.sequences

    @property
    def sources(self) -> List[Dict[str, Any]]:
        sources: List[Dict[str, Any]] = self.sidecar()["sources"]
        return sources

    @property
    def warnings(self) -> List[str]:
        return list(self._warnings)

    @property
    def name(self) -> str:
        return self._name

    def sidecar(self) -> Dict[str, Any]:
        """The shard sidecar document: format, version, alphabet, window, max_history, symbols,
        sequences, sources (``docs/count-format.md``)."""
        return self._c.sidecar()

    def words(self, length: int) -> Dict[Tuple[str, ...], int]:
        """The number of occurrences of every word of ``length`` symbols (1 to :attr:`window`) that
        occurs, as a dict from the word (a tuple of symbol names) to its count."""
        length = _int_arg(length, "length", lo=1)
        if length > self.window:
            raise _invalid(f"length must be at most the window {self.window}, got {length}")
        names = self.alphabet
        k = len(names)
        out: Dict[Tuple[str, ...], int] = {}
        for code, c in self._c.words(length):
            word = []
            for _ in range(length):
                code, x = divmod(code, k)
                word.append(names[x])
            out[tuple(reversed(word))] = c
        return out

    def merge(self, other: "Counts") -> "Counts":
        """The counts of these sequences and ``other``'s together (a new object).

        Both must have the same alphabet (the same names in the same order) and window; otherwise
        :class:`~cmech.InvalidDataError` says which differ. Counts of the same bytes of a file are
        refused; bytes left between the ranges counted from a file are a
        :class:`~cmech.CmechWarning`, kept in :attr:`warnings`.
        """
        if not isinstance(other, Counts):
            raise TypeError(f"merge expects Counts, got {type(other).__name__}")
        native = self._c.merge(other._c, self._name, other._name)
        _warn(native.warnings)
        seen = list(self._warnings)
        seen += [w for w in other._warnings + native.warnings if w not in seen]
        return Counts(native, f"{self._name} + {other._name}", seen)

    def __add__(self, other: "Counts") -> "Counts":
        if not isinstance(other, Counts):
            return NotImplemented
        return self.merge(other)

    def __radd__(self, other: Any) -> "Counts":
        # sum([a, b]) starts from 0.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def save(self, path: PathLike, overwrite: bool = False) -> None:
        """Writes the counts as a count shard: the binary file ``path`` and its sidecar
        ``path + ".json"`` (``docs/count-format.md``).

        An existing file is never replaced unless ``overwrite=True``: the refusal is a
        :class:`~cmech.CmechIOError` naming the file.
        """
        self._c.save(os.fspath(path), bool(overwrite))

    @classmethod
    def load(cls, path: Union[PathLike, Sequence[PathLike]]) -> "Counts":
        """Reads a count shard (written by :meth:`save`, ``cmech count`` or ``cmech merge``), or
        several and adds them up. Its sidecar ``path + ".json"`` must be beside it.

        A shard that is truncated, corrupt or disagrees with its sidecar, or shards that do not
        merge, raise :class:`~cmech.InvalidDataError`; a missing file :class:`~cmech.CmechIOError`.
        Bytes of a file between the ranges the shards counted are a :class:`~cmech.CmechWarning`.
        """
        paths = _paths(path)
        if paths is None:
            raise TypeError(f"load expects a path or a list of paths, got {type(path).__name__}")
        native = _cmech.NativeCounts.load(paths)
        _warn(native.warnings)
        return cls(native, " + ".join(paths), native.warnings)

    def __eq__(self, other: object) -> bool:
        """Equal alphabets and equal counts of every word (sources are not compared)."""
        if not isinstance(other, Counts):
            return NotImplemented
        return bool(self._c == other._c)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        mh = "" if self.max_history is None else f", max_history={self.max_history}"
        return (
            f"Counts(alphabet={self.alphabet!r}, window={self.window}{mh}, symbols={self.symbols}, "
            f"sequences={self.sequences})"
        )


# ----- reading data -------------------------------------------------------------------------------


def _count_memory(
    data: Any, plan: _Plan, alphabet: Optional[List[Union[str, int]]], lines: bool, threads: Optional[int]
) -> Counts:
    """Counts in the Rust library (``Input::from_memory``): alphabets, messages and warnings
    are the ones of files."""
    source = _source(data)
    native = _cmech.count_memory(_sequences(data), alphabet, lines, "data", source, *plan.args(), threads)
    return Counts(native, source, native.warnings)


def _counts_of(
    data: Any,
    plan: _Plan,
    alphabet: Any,
    format: Optional[str],
    lines: bool,
    byte_range: Optional[Tuple[int, int]],
    threads: Optional[int],
    shards_ok: bool,
) -> Tuple[Counts, bool]:
    """Counts of ``data`` and whether they were just counted (False: given or loaded)."""
    entries = _alphabet_entries(alphabet)
    if format is not None and format not in _FORMATS:
        raise _invalid(f"unknown format {_quote(format)} (known: {', '.join(_FORMATS)})")
    if byte_range is not None:
        try:
            a, b = (operator.index(x) for x in byte_range)
        except (TypeError, ValueError):
            raise _invalid(f"byte_range must be a pair of byte offsets (start, end), got {byte_range!r}") from None
        if a < 0 or b < 0:
            raise InvalidDataError("byte offsets are not negative")
        byte_range = (a, b)
    read_given = entries is not None or format is not None or bool(lines) or byte_range is not None
    if isinstance(data, Counts):
        if read_given:
            raise _invalid("alphabet, format, lines and byte_range apply to data, not to Counts")
        return data, False
    paths = _file_paths(data)
    if paths is not None:
        if _cmech.are_shards(paths):
            if not shards_ok:
                raise _invalid(f"{', '.join(paths)} is a count shard: read it with cmech.Counts.load")
            if read_given:
                raise _invalid(
                    "alphabet, format, lines and byte_range apply to data files, not to count shards"
                )
            return Counts.load(paths), False
        native = _cmech.count_files(
            paths,
            format,
            bool(lines),
            _alphabet_text(entries),
            byte_range,
            *plan.args(),
            threads,
        )
        return Counts(native, ", ".join(paths), native.warnings), True
    if format is not None:
        raise _invalid(
            "format applies to files (give the path as a pathlib.Path); data in memory are read by "
            "their type"
        )
    if byte_range is not None:
        raise _invalid("byte_range applies to one file (a pathlib.Path), not to data in memory")
    return _count_memory(data, plan, entries, bool(lines), threads), True


def count(
    data: Any,
    max_history: Optional[int] = None,
    *,
    window: Optional[int] = None,
    method: Optional[str] = None,
    future: Optional[int] = None,
    alphabet: Union[None, str, Sequence[Union[str, int]]] = None,
    format: Optional[str] = None,
    lines: bool = False,
    byte_range: Optional[Tuple[int, int]] = None,
    threads: Optional[int] = None,
) -> Counts:
    """Counts the words of ``data`` for a reconstruction, or up to ``window`` symbols: the
    :class:`Counts` that :func:`reconstruct` takes, that merge by addition and save as count
    shards.

    With no ``method``, the counts reach what :func:`reconstruct`'s selection needs (up to
    ``max_history`` if given). ``method`` and ``future`` set the window with ``max_history``
    (default 5) as in :func:`reconstruct` (``max_history + 1`` for ``"cssr"``,
    ``max_history + 1 + future`` for ``"forward"``); give ``window`` instead of ``max_history`` to
    count words of up to ``window`` symbols.

    What ``data`` may be:

    ===============================================  ===================================================
    ``data``                                         read as
    ===============================================  ===================================================
    ``pathlib.Path`` (any ``os.PathLike``), or a     data files, as ``cmech count FILE...``: each file
    list of them                                     its own sequence; one character per symbol unless
                                                     ``format="tokens"``, ``"bytes"`` or ``"npy"``
                                                     (``.npy`` is detected); ``lines=True``: each line
                                                     a sequence; ``byte_range=(a, b)``: only the
                                                     windows starting in bytes ``[a, b)`` of one file
    ``str``                                          text, never a path: one sequence, each character
                                                     a symbol; ``"\\n"`` and ``"\\r"`` are not symbols
                                                     (``lines=True``: each line a sequence)
    1-D integer array, list or tuple of ints         one sequence of integer symbols
    2-D integer array                                one sequence per row
    list or tuple of strings, 1-D array of strings   one sequence of tokens (each string a symbol)
    list of sequences (lists, tuples or arrays)      one sequence each, of integers or tokens
    ``bytes``                                        one sequence, every byte a symbol (as ``--bytes``)
    ===============================================  ===================================================

    So ``"0110"`` and ``["0", "1", "1", "0"]`` are the same sequence, and several texts are
    ``[list(t) for t in texts]`` or ``"\\n".join(texts)`` with ``lines=True``. No word crosses
    from one sequence into another.

    ``alphabet`` fixes the symbols and their order (a list; a str stands for its characters);
    any other symbol is an :class:`~cmech.InvalidDataError` naming it and where it is. Without
    it the alphabet is the symbols present: characters by code point, tokens numerically if all
    are integers (else alphabetically), integers numerically and named by their decimal value (as
    ``cmech reconstruct`` names the values of a ``.npy`` file). For integer data, an alphabet of
    integers lists the values; an alphabet of strings names the symbols the integers index
    (``cmech.count(p.sample(n), alphabet=p.alphabet)``).

    ``threads`` runs the counting on that many threads (default: one per core); the counts do not
    depend on it. The interpreter lock is released while counting.

    Raises :class:`~cmech.InvalidDataError` for data without symbols, a symbol outside
    ``alphabet``, floating-point or boolean arrays; :class:`~cmech.InvalidArgumentError` for
    ``max_history < 1``, ``window < 2`` and other bad arguments; :class:`~cmech.CmechIOError`
    for a file that cannot be read. Warnings (an alphabet of one symbol) are issued as
    :class:`~cmech.CmechWarning` and kept in :attr:`Counts.warnings`.
    """
    plan = _Plan(method, max_history, future, window)
    threads = _opt_int(threads, "threads")
    if isinstance(data, Counts):
        raise TypeError("data are already Counts; merge Counts with a.merge(b) or a + b")
    counts, _ = _counts_of(data, plan, alphabet, format, lines, byte_range, threads, shards_ok=False)
    _warn(counts.warnings)
    return counts


# ----- reconstruction -----------------------------------------------------------------------------


class Reconstruction:
    """The result of :func:`reconstruct`.

    Attributes
    ----------
    process : Process
        The reconstructed epsilon-machine: its recurrent states (named ``S<i>`` by the method's
        numbering of all states, transient ones included); its alphabet is the data's. ``.measures()``, ``.to_dot()``, ``.sample()`` and ``.to_json()``
        work on it.
    diagnostics : Diagnostics
        States, C_mu, h_mu, log-likelihood, states by history length, warnings.
    counts : Counts
        The counts it was reconstructed from (to reconstruct again with other parameters without
        counting again, or to save).
    """

    __slots__ = ("process", "diagnostics", "counts")

    def __init__(self, process: Process, diagnostics: Diagnostics, counts: Counts) -> None:
        self.process = process
        self.diagnostics = diagnostics
        self.counts = counts

    def hold_out(
        self,
        data: Any,
        *,
        format: Optional[str] = None,
        lines: bool = False,
        threads: Optional[int] = None,
    ) -> HeldOut:
        """How the machine predicts ``data`` it was not fitted on, beside smoothed Markov chains
        fitted to the same counts: ``cmech reconstruct --holdout``. ``data`` is anything
        :func:`count` reads, in the training data's alphabet (a symbol outside it is an error).

        >>> import cmech
        >>> even = cmech.Process.named("even")
        >>> r = cmech.reconstruct(even.sample(200_000, seed=1))
        >>> h = r.hold_out(even.sample(50_000, seed=2))
        >>> h.advantage < 0   # no chain of the orders counted knows every run's parity
        True

        Raises what :func:`count` raises, and :class:`~cmech.InvalidArgumentError` for data in
        another alphabet.
        """
        names = self.counts.alphabet
        integers = all(n.lstrip("-").isdigit() for n in names)
        # Integer data name their symbols by value, as the training counts did.
        first = data[0] if isinstance(data, (list, tuple)) and len(data) > 0 else None
        numeric = (isinstance(data, np.ndarray) and data.dtype.kind in "iu") or (
            isinstance(first, (int, np.integer)) and not isinstance(first, bool)
        )
        alphabet: List[Union[str, int]] = [int(n) for n in names] if integers and numeric else list(names)
        window = _cmech.holdout_window(len(names), self.counts.window)
        test = count(data, window=window, alphabet=alphabet, format=format, lines=lines, threads=threads)
        return _cmech.hold_out(self.process._p, self.counts._c, test._c)

    def to_dict(self) -> Dict[str, Any]:
        """``{"machine": ..., "diagnostics": ...}``: the document ``cmech reconstruct --json`` prints."""
        return {"machine": self.process._p.to_dict(), "diagnostics": self.diagnostics.to_dict()}

    def __repr__(self) -> str:
        d = self.diagnostics
        return (
            f"Reconstruction(states={d.recurrent_states}, transient={d.transient_states}, "
            f"C_mu={d.c_mu:.6f}, h_mu={d.h_mu:.6f}, method={d.method!r}, max_history={d.max_history})"
        )


def reconstruct(
    data: Any,
    max_history: Optional[int] = None,
    *,
    alpha: Optional[float] = None,
    test: Optional[str] = None,
    method: Optional[str] = None,
    future: Optional[int] = None,
    alphabet: Union[None, str, Sequence[Union[str, int]]] = None,
    format: Optional[str] = None,
    lines: bool = False,
    threads: Optional[int] = None,
) -> Reconstruction:
    """Reconstructs the epsilon-machine of the process behind ``data``: ``cmech reconstruct``.

    ``data`` is anything :func:`count` reads (a numpy array, a list of symbols or of sequences, a
    str of characters, a ``pathlib.Path`` to a data file or to count shards, with ``alphabet``,
    ``format`` and ``lines`` as there), or :class:`Counts` whose window is long enough.

    With none of ``method``, ``alpha``, ``test`` and ``future``, the machine is **selected**: both
    methods at every history length the data support (up to ``max_history`` if given), each
    machine minimised and scored by BIC on the likelihood of all the data, the smallest of the
    statistically tied best returned; ``.diagnostics.selection`` lists every candidate's score, as
    ``cmech reconstruct`` does with no options. Otherwise the given options are used exactly, the
    rest at their defaults (``max_history`` 5, ``alpha`` 0.001, ``test`` ``"chi2"``, ``method``
    ``"cssr"``).

    ``max_history`` is the longest history L; ``alpha`` the significance level of the tests that
    split states; ``test`` ``"chi2"`` (Pearson's chi-square) or ``"ks"`` (Kolmogorov-Smirnov);
    ``method`` ``"cssr"`` (Shalizi & Klinkner 2004) or ``"forward"`` (right for processes of
    infinite Markov order such as Even and RRXOR); ``future`` the length of the futures that define
    states in the forward method (default: the shortest with at least 8 words). See
    ``docs/reconstruction.md``. ``threads`` sets the worker threads (the result does not depend on
    it). The interpreter lock is released while counting and reconstructing.

    Returns a :class:`Reconstruction`: ``.process`` (a :class:`Process`) and ``.diagnostics``.
    Warnings (L too long for the data, a state count still growing with L, a one-symbol alphabet)
    are issued as :class:`~cmech.CmechWarning` and kept in ``.diagnostics.warnings``.

    >>> import cmech
    >>> gm = cmech.Process.named("golden-mean")
    >>> r = cmech.reconstruct(gm.sample(100_000, seed=1))
    >>> r.diagnostics.recurrent_states, r.process.is_isomorphic(gm, tol=0.02)
    (2, True)
    >>> r.diagnostics.selection.chosen.states
    2

    Raises what :func:`count` raises, and :class:`~cmech.InvalidArgumentError` for an unknown
    method or test, ``alpha`` outside (0, 1), ``future < 1``, Counts too short for
    ``max_history``, or data with no sequence longer than ``max_history``.
    """
    plan = _Plan(method, max_history, future, None)
    alpha = None if alpha is None else _alpha(alpha)
    threads = _opt_int(threads, "threads")
    _cmech.check_options(plan.method, plan.max_history, alpha, test, plan.future)
    counts, fresh = _counts_of(data, plan, alphabet, format, lines, None, threads, shards_ok=True)
    if fresh:
        _warn(counts.warnings)
    machine, diagnostics = _cmech.reconstruct(
        counts._c, plan.method, plan.max_history, alpha, test, plan.future, threads, counts.name
    )
    _warn(diagnostics.warnings)
    return Reconstruction(Process(machine), diagnostics, counts)
