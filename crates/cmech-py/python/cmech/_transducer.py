"""Transducers (epsilon-transducers of input-output processes): driving them, their measures under
an input process, and their reconstruction from paired input and output streams."""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _cmech
from ._cmech import TransducerMeasures
from ._data import DEFAULT_ALPHA, DEFAULT_MAX_HISTORY, DEFAULT_TEST, Diagnostics, _alpha
from ._read import _FORMATS, _int_arg, _invalid, _opt_int, _quote, _stream, _warn
from ._process import NamedProcessInfo, Process, _catalogue, _json_text, _param_text

__all__ = [
    "Transducer",
    "TransducerMeasures",
    "TransducerReconstruction",
    "transducers",
    "reconstruct_transducer",
]

class Transducer:
    """A transducer: ``T[y|x][i, j] = Pr(emit y, go to j | in i, reading x)`` over named inputs,
    outputs and states (``docs/transducer-format.md``).

    Build one with :meth:`Transducer.named`, :meth:`Transducer.from_json` or
    :meth:`Transducer.load`, or get one from :func:`reconstruct_transducer`. A state may leave an
    input undefined (a reconstructed transducer knows only the inputs that occurred in each state);
    driving it into one raises :class:`~cmech.UnsupportedError` naming the state and the input.

    >>> import cmech
    >>> delay = cmech.Transducer.named("delay")
    >>> x, y = delay.drive(cmech.Process.named("golden-mean"), 8, seed=1)
    >>> bool((y[1:] == x[:-1]).all())
    True
    """

    __slots__ = ("_t",)

    def __init__(self, native: "_cmech.NativeTransducer") -> None:
        """Wraps a native transducer; use the class methods to build a Transducer."""
        if not isinstance(native, _cmech.NativeTransducer):
            raise TypeError("build a Transducer with Transducer.named, Transducer.from_json or Transducer.load")
        self._t = native

    @classmethod
    def named(cls, name: str, **params: Union[float, int, str, Fraction]) -> "Transducer":
        """The named transducer ``name`` (see :func:`cmech.transducers`), parameters overriding
        the defaults (numbers, fractions or their text, as for :meth:`cmech.Process.named`).

        Raises :class:`~cmech.InvalidArgumentError` for an unknown name and
        :class:`~cmech.InvalidParameterError` for an unknown or out-of-range parameter.
        """
        if not isinstance(name, str):
            raise TypeError(f"transducer name must be a str, got {type(name).__name__}")
        texts = [(k, _param_text(name, k, v)) for k, v in params.items()]
        return cls(_cmech.NativeTransducer.named(name, texts))

    @classmethod
    def from_json(cls, text: Union[str, bytes]) -> "Transducer":
        """Parses a transducer in the cmech transducer JSON format.

        Raises :class:`~cmech.InvalidPresentationError` for text that is not such a document or an
        invalid transducer (the message says which).
        """
        return cls(_cmech.NativeTransducer.from_json(_json_text(text, "invalid transducer")))

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "Transducer":
        """Reads a transducer JSON file (as written by ``cmech transducer show --json`` or
        ``cmech transducer reconstruct -o``)."""
        with open(os.fspath(path), "rb") as f:
            return cls.from_json(f.read())

    @property
    def name(self) -> str:
        """The transducer's name."""
        return self._t.name

    @property
    def inputs(self) -> List[str]:
        """Input symbol names; input arrays hold indices into this list."""
        return self._t.inputs

    @property
    def outputs(self) -> List[str]:
        """Output symbol names; output arrays hold indices into this list."""
        return self._t.outputs

    @property
    def states(self) -> List[str]:
        """State names; the first is state 0, where :meth:`drive` of a sequence starts."""
        return self._t.states

    @property
    def is_unifilar(self) -> bool:
        """Whether the state, the input and the output determine the next state."""
        return self._t.is_unifilar

    @property
    def is_complete(self) -> bool:
        """Whether every state defines every input."""
        return self._t.is_complete

    @property
    def transitions(self) -> List[Tuple[str, str, str, str, float]]:
        """Every edge as ``(from, input, output, to, p)``, by name."""
        return self._t.transitions()

    def minimize(self) -> "Transducer":
        """States with the same output futures given every future input merged."""
        return Transducer(self._t.minimize())

    def is_isomorphic(self, other: "Transducer", tol: float = 1e-9) -> bool:
        """Same transducer up to a renaming of states, probabilities within ``tol``."""
        if not isinstance(other, Transducer):
            raise TypeError(f"is_isomorphic compares two Transducers, got {type(other).__name__}")
        return self._t.is_isomorphic(other._t, float(tol))

    def with_name(self, name: str) -> "Transducer":
        """The same transducer under another name."""
        return Transducer(self._t.with_name(str(name)))

    def to_json(self) -> str:
        """The cmech transducer JSON document."""
        return self._t.to_json()

    def to_dot(self) -> str:
        """Graphviz DOT text, edges labelled ``y|x:p``."""
        return self._t.to_dot()

    def drive(self, input: Any, n: Optional[int] = None, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
        """Drives the transducer: returns ``(inputs, outputs)``, int64 arrays of indices into
        :attr:`inputs` and :attr:`outputs`. The same seed gives the same arrays.

        ``input`` is a :class:`~cmech.Process` over (some of) the transducer's inputs, matched by
        name, driven for ``n`` steps from the joint stationary distribution (or, when the joint
        process has several recurrent classes, the input stationary and the transducer in state 0);
        or a 1-D integer array (or list) of input indices, answered from state 0 (``n``, if given,
        must be its length).

        Raises :class:`~cmech.InvalidArgumentError` for an input symbol the transducer does not read
        and :class:`~cmech.UnsupportedError` for an input a reached state leaves undefined.
        """
        seed = _int_arg(seed, "seed", 0)
        if isinstance(input, Process):
            if n is None:
                raise _invalid("give the number of steps n to drive with a process")
            n = _int_arg(n, "n", 0)
            return self._t.drive(input._p, n, seed)
        xs = np.asarray(input)
        if xs.ndim != 1 or not (np.issubdtype(xs.dtype, np.integer) or xs.size == 0):
            raise TypeError(
                "drive takes a cmech.Process or a 1-D integer array of input indices, got "
                f"{type(input).__name__}" + (f" of dtype {xs.dtype} and shape {xs.shape}" if hasattr(xs, "dtype") else "")
            )
        if n is not None and _int_arg(n, "n", 0) != len(xs):
            raise _invalid(f"n = {n} but the input sequence has {len(xs)} symbols")
        xs = np.ascontiguousarray(xs, dtype=np.int64)
        return xs, self._t.drive_sequence(xs, seed)

    def measures(self, input: Process, block_length: int = 12, max_depth: int = 40) -> "TransducerMeasures":
        """C_mu, h(Y|X), the mutual information rate and the entropy rates of the transducer
        driven by the process ``input`` (see :class:`TransducerMeasures`); ``max_depth`` bounds the
        word length of values that are only approached.

        Raises :class:`~cmech.UnsupportedError` when the joint process has several recurrent
        classes (as a periodic input into a periodic transducer).
        """
        if not isinstance(input, Process):
            raise TypeError(f"measures takes the input as a cmech.Process, got {type(input).__name__}")
        block_length = _int_arg(block_length, "block_length", 0)
        max_depth = _int_arg(max_depth, "max_depth", 1)
        return self._t.measures(input._p, block_length, max_depth)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Transducer) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(self.to_json())

    def __repr__(self) -> str:
        return (
            f"Transducer(name={self.name!r}, states={len(self.states)}, inputs={self.inputs}, "
            f"outputs={self.outputs})"
        )


def transducers() -> List[NamedProcessInfo]:
    """The named transducers, each with its parameters and their defaults.

    >>> [t.name for t in transducers()][:3]
    ['identity', 'bsc', 'z-channel']
    """
    return _catalogue(_cmech.transducers())


class TransducerReconstruction:
    """The result of :func:`reconstruct_transducer`.

    Attributes
    ----------
    transducer : Transducer
        The reconstructed epsilon-transducer (states named by the method's numbering); its inputs
        and outputs are the data's alphabets.
    diagnostics : Diagnostics
        As for :func:`cmech.reconstruct`, with ``c_mu`` the transducer's statistical complexity and
        ``h_mu`` its conditional entropy rate h(Y|X), both under the data's input.
    """

    __slots__ = ("transducer", "diagnostics")

    def __init__(self, transducer: Transducer, diagnostics: Diagnostics) -> None:
        self.transducer = transducer
        self.diagnostics = diagnostics

    def to_dict(self) -> Dict[str, Any]:
        """``{"transducer": ..., "diagnostics": ...}``: what ``cmech transducer reconstruct --json`` prints."""
        return {"transducer": self.transducer._t.to_dict(), "diagnostics": self.diagnostics.to_dict()}

    def __repr__(self) -> str:
        d = self.diagnostics
        return (
            f"TransducerReconstruction(states={d.recurrent_states}, C_mu={d.c_mu:.6f}, "
            f"h_Y_given_X={d.h_mu:.6f}, max_history={d.max_history})"
        )


def reconstruct_transducer(
    inputs: Any,
    outputs: Any,
    max_history: int = DEFAULT_MAX_HISTORY,
    *,
    alpha: float = DEFAULT_ALPHA,
    test: str = DEFAULT_TEST,
    input_alphabet: Union[None, str, Sequence[Union[str, int]]] = None,
    output_alphabet: Union[None, str, Sequence[Union[str, int]]] = None,
    format: Optional[str] = None,
    lines: bool = False,
    threads: Optional[int] = None,
) -> TransducerReconstruction:
    """Reconstructs the epsilon-transducer from paired streams: ``cmech transducer reconstruct``.

    ``inputs`` and ``outputs`` are read as :func:`cmech.count` reads data (numpy integer arrays,
    lists of symbols or of sequences, str text, or ``pathlib.Path`` files with ``format`` and
    ``lines``), and paired symbol by symbol: they must hold as many sequences, of the same
    lengths. ``input_alphabet`` and ``output_alphabet`` fix the alphabets (default: the symbols
    present, sorted). The states are the causal states of joint (input, output) histories of up
    to ``max_history`` pairs, split when their next-output distributions given the next input
    differ (``alpha``, ``test`` as in :func:`cmech.reconstruct`).

    >>> import cmech
    >>> delay = cmech.Transducer.named("delay")
    >>> x, y = delay.drive(cmech.Process.named("biased-coin"), 100_000, seed=1)
    >>> r = cmech.reconstruct_transducer(x, y, max_history=2)
    >>> r.transducer.is_isomorphic(delay, tol=0.01)
    True

    Raises :class:`~cmech.InvalidDataError` for streams of different lengths or sequence counts
    and for symbols outside a given alphabet, and what :func:`cmech.reconstruct` raises for bad
    options.
    """
    max_history = _int_arg(max_history, "max_history", 0)
    alpha = _alpha(alpha)
    threads = _opt_int(threads, "threads")
    if format is not None and format not in _FORMATS:
        raise _invalid(f"unknown format {_quote(format)} (known: {', '.join(_FORMATS)})")
    x = _stream(inputs, "inputs", input_alphabet, format)
    y = _stream(outputs, "outputs", output_alphabet, format)
    native, diagnostics, warnings = _cmech.reconstruct_transducer(
        x, y, format, bool(lines), max_history, alpha, test, threads
    )
    _warn(warnings)
    _warn(diagnostics.warnings)
    return TransducerReconstruction(Transducer(native), diagnostics)
