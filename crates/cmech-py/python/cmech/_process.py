"""Processes (presentations), their samples and their information measures."""

from __future__ import annotations

import math
import operator
import os
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _cmech
from ._cmech import Measures
from ._errors import InvalidArgumentError, InvalidJsonError, InvalidPresentationError, InvalidParameterError

if TYPE_CHECKING:
    from ._beliefs import BeliefTable, MixedStates

__all__ = ["Process", "Measures", "NamedProcessInfo", "ParamInfo", "processes"]

_U64 = 1 << 64


def _invalid_presentation(message: str) -> InvalidPresentationError:
    # Same form as the core's Display of InvalidPresentation.
    return InvalidPresentationError(f"invalid presentation: {message}")


def _invalid_argument(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"invalid argument: {message}")


def _whole(value: Any, what: str, lo: int = 0, hi: Optional[int] = None) -> int:
    """``value`` as an int in [lo, hi), or InvalidArgumentError naming ``what``."""
    if isinstance(value, bool):
        raise _invalid_argument(f"{what} must be an integer, got {value!r}")
    try:
        v = operator.index(value)
    except TypeError:
        raise _invalid_argument(f"{what} must be an integer, got {value!r}") from None
    if v < lo or (hi is not None and v >= hi):
        bound = f"at least {lo}" if hi is None else f"in [{lo}, {hi})"
        raise _invalid_argument(f"{what} must be {bound}, got {v}")
    return v


def _json_text(text: Any, what: str) -> str:
    """JSON ``text`` as str: bytes are decoded as UTF-8, and InvalidJsonError starting with ``what``
    says where they are not."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise InvalidJsonError(f"{what}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    if not isinstance(text, str):
        raise TypeError(f"from_json expects str or bytes, got {type(text).__name__}")
    return text


def _param_text(process: str, key: str, value: Any) -> str:
    """A parameter value as the text the core parses: numbers exactly, words as they are."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise InvalidParameterError(
            f"invalid parameter for {process}: {key} = {value!r} is a bool, not a number or word"
        )
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        # A word given as a sequence of symbols.
        return ",".join(str(s) for s in value)
    raise InvalidParameterError(
        f"invalid parameter for {process}: {key} = {value!r} is not a number or word"
    )


class Process:
    """A process given by an edge-emitting hidden Markov model (a presentation).

    The presentation is a set of labelled transition matrices ``T[x][i, j] = Pr(emit x, go to j | in i)``
    over an alphabet of named symbols and a list of named states. Build one with
    :meth:`Process.named`, :meth:`Process.from_json`, :meth:`Process.load` or
    :meth:`Process.from_matrices`; every constructor validates the presentation and raises an
    :class:`~cmech.InvalidPresentationError` (or another :class:`~cmech.CmechError`) naming the problem.

    >>> import cmech
    >>> gm = cmech.Process.named("golden-mean", p=0.5)
    >>> gm.alphabet, gm.states
    (['0', '1'], ['A', 'B'])
    >>> round(gm.measures().h_mu, 6)
    0.666667
    """

    __slots__ = ("_p",)

    def __init__(self, presentation: _cmech.Presentation) -> None:
        """Wraps a native presentation; use the class methods to build a Process."""
        if not isinstance(presentation, _cmech.Presentation):
            raise TypeError(
                "build a Process with Process.named, Process.from_json, Process.load or Process.from_matrices"
            )
        self._p = presentation

    # ----- construction -------------------------------------------------------------------------

    @classmethod
    def named(cls, name: str, **params: Union[float, int, str, Fraction]) -> "Process":
        """The named process ``name`` (see :func:`cmech.processes`), with parameters overriding the defaults.

        Parameters are numbers (``p=0.3``, ``p=Fraction(1, 3)``, ``p="1/3"``) or, for words, strings or
        sequences of symbols (``word="0011"``, ``word=["a", "b"]``); they are passed to the core as text.
        Underscores and hyphens in ``name`` are interchangeable.

        Raises :class:`~cmech.UnknownProcessError` for an unknown name and
        :class:`~cmech.InvalidParameterError` for an unknown or out-of-range parameter.
        """
        if not isinstance(name, str):
            raise TypeError(f"process name must be a str, got {type(name).__name__}")
        texts = [(k, _param_text(name, k, v)) for k, v in params.items()]
        return cls(_cmech.Presentation.named(name, texts))

    @classmethod
    def from_json(cls, text: Union[str, bytes]) -> "Process":
        """Parses a presentation in the cmech JSON format (``docs/presentation-format.md``).

        Raises :class:`~cmech.InvalidJsonError` for text that is not such a document (including
        truncated JSON) and :class:`~cmech.InvalidPresentationError` for an invalid presentation.
        """
        return cls(_cmech.Presentation.from_json(_json_text(text, "invalid presentation JSON")))

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "Process":
        """Reads a presentation from a JSON file (see :meth:`from_json`).

        A missing or unreadable file raises the usual :class:`OSError` (e.g. ``FileNotFoundError``),
        which names the path.
        """
        with open(path, "rb") as f:
            data = f.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InvalidJsonError(
                f"invalid presentation JSON: {os.fspath(path)} is not UTF-8 text ({e.reason} at byte {e.start})"
            ) from None
        return cls(_cmech.Presentation.from_json(text))

    @classmethod
    def from_matrices(
        cls,
        matrices: Mapping[Any, Any],
        states: Optional[List[str]] = None,
        name: Optional[str] = None,
    ) -> "Process":
        """Builds a presentation from labelled transition matrices.

        ``matrices`` maps each symbol name (keys are converted with ``str``) to an ``n x n`` array of
        real numbers, ``matrices[x][i, j] = Pr(emit x, go to j | in i)``; the alphabet is the keys in
        order. ``states`` names the ``n`` states (default ``S0 .. S{n-1}``); ``name`` names the process
        (default ``"unnamed"``).

        Rows of ``sum_x matrices[x]`` must sum to 1 within 1e-9; entries must be finite and in [0, 1].
        Anything else (NaN, a negative entry, a non-square or mismatched matrix, an empty alphabet)
        raises :class:`~cmech.InvalidPresentationError` naming the offending symbol, state or entry.
        """
        if not isinstance(matrices, Mapping):
            raise TypeError(
                f"from_matrices expects a dict of symbol -> n x n array, got {type(matrices).__name__}"
            )
        alphabet = [str(k) for k in matrices]
        arrays = []
        size: Optional[int] = None
        for symbol, m in zip(alphabet, matrices.values()):
            try:
                a = np.asarray(m)
            except (TypeError, ValueError) as e:
                raise _invalid_presentation(f"matrix of symbol {symbol} is not an array of numbers ({e})") from None
            if a.dtype.kind not in "iuf":
                raise _invalid_presentation(
                    f"matrix of symbol {symbol} has entries of type {a.dtype}, expected real numbers"
                )
            if a.ndim != 2:
                raise _invalid_presentation(
                    f"matrix of symbol {symbol} has shape {a.shape}, expected a square n x n matrix"
                )
            if a.shape[0] != a.shape[1]:
                raise _invalid_presentation(
                    f"matrix of symbol {symbol} is {a.shape[0]} x {a.shape[1]}, not square"
                )
            if size is None:
                size = a.shape[0]
            elif a.shape[0] != size:
                raise _invalid_presentation(
                    f"matrix of symbol {symbol} is {a.shape[0]} x {a.shape[0]} but the matrix of symbol "
                    f"{alphabet[0]} is {size} x {size}"
                )
            arrays.append(np.ascontiguousarray(a, dtype=np.float64))
        if states is None:
            state_names = [f"S{i}" for i in range(size or 0)]
        else:
            if isinstance(states, str):
                raise TypeError("states must be a list of state names, not a str")
            state_names = [str(s) for s in states]
            if size is not None and len(state_names) != size:
                raise _invalid_presentation(
                    f"{len(state_names)} state names given for {size} x {size} matrices"
                )
        label = "unnamed" if name is None else str(name)
        return cls(_cmech.Presentation.from_matrices(label, alphabet, state_names, arrays))

    # ----- description ----------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The process's name."""
        return self._p.name

    @property
    def alphabet(self) -> List[str]:
        """The symbol names; samples are indices into this list."""
        return self._p.alphabet

    @property
    def states(self) -> List[str]:
        """The state names, in the order of the matrices' rows and of the stationary distribution."""
        return self._p.states

    @property
    def is_unifilar(self) -> bool:
        """Whether each state and symbol determine the next state."""
        return self._p.is_unifilar

    @property
    def is_strongly_connected(self) -> bool:
        """Whether every state reaches every other."""
        return self._p.is_strongly_connected

    def matrices(self) -> Dict[str, np.ndarray]:
        """The labelled transition matrices: symbol name -> ``n x n`` float64 array."""
        return dict(zip(self._p.alphabet, self._p.matrices()))

    def stationary_distribution(self) -> np.ndarray:
        """The stationary distribution over :attr:`states` (float64 array summing to 1).

        Raises :class:`~cmech.UnsupportedError` when it is not unique (several recurrent classes).
        """
        return self._p.stationary_distribution()

    def minimize(self) -> "Process":
        """The epsilon-machine of this (unifilar) presentation: its recurrent part with states that
        have identical futures merged.

        Raises :class:`~cmech.UnsupportedError` when no finite epsilon-machine can be built this way.
        """
        return Process(self._p.minimize())

    def is_isomorphic(self, other: "Process", tol: float = 1e-9) -> bool:
        """Whether ``other`` is the same presentation up to renaming states (and reordering symbols),
        with transition probabilities equal within ``tol``."""
        if not isinstance(other, Process):
            raise TypeError(f"is_isomorphic expects a Process, got {type(other).__name__}")
        tol = float(tol)
        if not (tol >= 0.0 and math.isfinite(tol)):
            raise _invalid_argument(f"tol must be a finite non-negative number, got {tol}")
        return self._p.is_isomorphic(other._p, tol)

    def to_json(self) -> str:
        """The presentation as a cmech JSON document (readable by :meth:`from_json` and the CLI)."""
        return self._p.to_json()

    def to_dot(self) -> str:
        """Graphviz DOT text of the presentation, edges labelled ``x|p``."""
        return self._p.to_dot()

    # ----- sampling and measures ------------------------------------------------------------------

    def sample(self, n: int, seed: int = 0, start: Union[None, int, str] = None) -> np.ndarray:
        """``n`` symbols as an int64 array of indices into :attr:`alphabet`.

        The same ``seed`` (an integer in [0, 2**64)) always gives the same array. ``start`` is
        ``None`` for a stationary start (the first state drawn from the stationary distribution), or a
        state given by index or name. The interpreter lock is released while sampling, so other
        Python threads run meanwhile.
        """
        n = _whole(n, "n")
        seed = _whole(seed, "seed", 0, _U64)
        if start is not None and not isinstance(start, str):
            start = _whole(start, "start")
        if isinstance(start, str):
            try:
                start = self._p.states.index(start)
            except ValueError:
                raise _invalid_argument(
                    f"unknown start state '{start}' (states: {', '.join(self._p.states)})"
                ) from None
        return self._p.sample(n, seed, start)

    def measures(self, block_length: int = 12, max_depth: int = 40) -> "Measures":
        """Every information measure of the process, each saying how it was obtained.

        ``block_length`` is the longest block for :attr:`Measures.block_entropies` (H(0) .. H(L));
        ``max_depth`` the deepest word length for values that can only be approached (nonunifilar
        presentations without a finite epsilon-machine). The interpreter lock is released while
        computing.
        """
        block_length = _whole(block_length, "block_length")
        max_depth = _whole(max_depth, "max_depth", 1)
        return _cmech.measures(self._p, block_length, max_depth)

    # ----- beliefs --------------------------------------------------------------------------------

    def mixed_states(
        self,
        depth: Optional[int] = None,
        tol: Optional[float] = None,
        max_nodes: int = 1 << 24,
        resolution: float = 1e-14,
    ) -> "MixedStates":
        """The mixed-state presentation: beliefs reached from the stationary distribution by every
        word, explored breadth-first.

        Exploration stops at ``depth`` (default 10 when ``tol`` is not given either), once the
        probability newly reached at a depth falls below ``tol``, when the presentation closes (every
        node expanded), or at ``max_nodes``. Beliefs whose components round to the same multiple of
        ``resolution`` are one node. Returns a :class:`MixedStates` of numpy arrays. The interpreter
        lock is released while exploring.
        """
        from . import _beliefs

        return _beliefs.mixed_states(self, depth, tol, max_nodes, resolution)

    def beliefs(
        self,
        sequence: Any,
        start: Optional[Any] = None,
        log_prob: bool = False,
    ) -> Any:
        """The belief (distribution over hidden states) after every symbol of ``sequence``.

        ``sequence`` is a 1-D array or list of symbol indices, a ``str`` of symbols (characters of
        :attr:`alphabet`, read as :func:`cmech.reconstruct` reads text: line endings are not
        symbols, spaces are; whitespace-separated names when symbols are longer than a character),
        a list of str (each a symbol's name), or a 2-D array with one sequence per row. Returns
        float64 ``(T, states)``, row t the belief after ``sequence[:t + 1]`` (``(rows, T, states)``
        for a 2-D input; rows run in parallel). The start is the stationary distribution unless ``start`` gives a belief. With
        ``log_prob=True`` also returns log2 of the sequence's probability (an array for 2-D input).
        A symbol the process cannot produce at that point is an error naming its position.
        """
        from . import _beliefs

        return _beliefs.beliefs(self, sequence, start, log_prob)

    def belief_table(self, length: int) -> "BeliefTable":
        """Every word of ``length`` symbols that the process can produce, with its probability and the
        belief after each of its prefixes: the regression targets of belief-state probes (Mess3 at
        length 10: 59,049 words x 10 positions x 3 states). Returns a :class:`BeliefTable`."""
        from . import _beliefs

        return _beliefs.belief_table(self, length)

    # ----- Python protocol ------------------------------------------------------------------------

    def __repr__(self) -> str:
        return (
            f"Process(name={self.name!r}, states={self.states!r}, alphabet={self.alphabet!r}, "
            f"unifilar={self.is_unifilar})"
        )

    def __reduce__(self) -> Tuple[Any, Tuple[str]]:
        return (Process.from_json, (self.to_json(),))


@dataclass(frozen=True)
class ParamInfo:
    """A parameter of a named process: its name, default value (as text) and meaning."""

    name: str
    default: str
    help: str


@dataclass(frozen=True)
class NamedProcessInfo:
    """A named process of the library: name, one-line definition, literature reference, parameters."""

    name: str
    summary: str
    reference: str
    params: Tuple[ParamInfo, ...]

    @property
    def defaults(self) -> Dict[str, str]:
        """Parameter name -> default value (text, as the core parses it)."""
        return {p.name: p.default for p in self.params}


def processes() -> List[NamedProcessInfo]:
    """The named processes, each with its parameters and their defaults.

    >>> [p.name for p in processes()][:3]
    ['biased-coin', 'golden-mean', 'even']
    """
    return _catalogue(_cmech.processes())


def _catalogue(entries: Sequence[Mapping[str, Any]]) -> List[NamedProcessInfo]:
    """The native catalogue of named processes or transducers (dicts) as NamedProcessInfo."""
    return [
        NamedProcessInfo(
            name=d["name"],
            summary=d["summary"],
            reference=d["reference"],
            params=tuple(ParamInfo(q["name"], q["default"], q["help"]) for q in d["params"]),
        )
        for d in entries
    ]
