"""Beliefs about hidden states: the mixed-state presentation, trajectories and belief tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional, Sequence, Union

import numpy as np

from . import _cmech
from ._process import _invalid_argument, _whole

if TYPE_CHECKING:
    from ._process import Process

#: Default depth of :meth:`Process.mixed_states` when neither ``depth`` nor ``tol`` is given.
DEFAULT_DEPTH = 10


class MixedStates:
    """The mixed-state presentation (MSP) of a process, explored breadth-first from its stationary
    distribution.

    A node is a distinct belief (distribution over the presentation's hidden states). Nodes are in
    breadth-first order, the start first, so :attr:`depths` never decreases and the expanded nodes
    are the first :attr:`expanded` ones.

    Attributes
    ----------
    beliefs : numpy.ndarray
        ``(nodes, states)`` float64: the belief of each node.
    probabilities : numpy.ndarray
        ``(nodes,)``: the probability of the words of length ``depths[k]`` that lead to node k.
    depths : numpy.ndarray
        ``(nodes,)`` int64: the word length at which each node is first reached.
    last_symbols : numpy.ndarray
        ``(nodes,)`` int64: the symbol index by which each node was first reached (-1 for the start).
    edges : numpy.ndarray
        ``(edges, 3)`` int64 rows ``[from, symbol, to]`` of the expanded nodes.
    edge_probabilities : numpy.ndarray
        ``(edges,)``: the probability of each edge's symbol given its node's belief.
    new_mass : numpy.ndarray
        For each depth d, the probability of the words of length d that reach a belief not seen
        before; it falls to 0 as observers of a unifilar machine synchronise.
    stop : str
        Why exploration stopped: ``"closed"`` (every node expanded: a finite MSP), ``"depth"``,
        ``"tolerance"`` or ``"node_limit"``.
    states, alphabet : list of str
        Names of the hidden states (belief components) and of the symbols.
    """

    __slots__ = (
        "beliefs",
        "probabilities",
        "depths",
        "last_symbols",
        "edges",
        "edge_probabilities",
        "new_mass",
        "stop",
        "states",
        "alphabet",
    )

    def __init__(self, arrays: Sequence[Any], states: List[str], alphabet: List[str]) -> None:
        """Built by :meth:`Process.mixed_states`."""
        (
            self.beliefs,
            self.probabilities,
            self.depths,
            self.last_symbols,
            self.edges,
            self.edge_probabilities,
            self.new_mass,
            self.stop,
        ) = arrays
        self.states = list(states)
        self.alphabet = list(alphabet)

    def __len__(self) -> int:
        return int(self.beliefs.shape[0])

    @property
    def expanded(self) -> int:
        """Number of expanded nodes (those whose edges are known): the first ones."""
        if len(self.edges) == 0:
            return 0
        return int(self.edges[-1, 0]) + 1

    @property
    def is_closed(self) -> bool:
        """Whether the MSP closed: every node expanded, a finite presentation."""
        return bool(self.stop == "closed")

    def __repr__(self) -> str:
        return (
            f"MixedStates(nodes={len(self)}, depth={int(self.depths[-1])}, "
            f"stop={self.stop!r}, states={self.states!r})"
        )


class BeliefTable:
    """Every word of one length that the process can produce, with the belief after each prefix.

    Attributes
    ----------
    words : numpy.ndarray
        ``(words, length)`` int64 symbol indices, in lexicographic order; words of probability zero
        are left out, so every belief is defined.
    probabilities : numpy.ndarray
        ``(words,)``: the probability of each word.
    beliefs : numpy.ndarray
        ``(words, length, states)``: ``beliefs[w, t]`` is the belief after ``words[w, :t + 1]``.
    states, alphabet : list of str
        Names of the hidden states and of the symbols.
    """

    __slots__ = ("words", "probabilities", "beliefs", "states", "alphabet")

    def __init__(self, arrays: Sequence[Any], states: List[str], alphabet: List[str]) -> None:
        """Built by :meth:`Process.belief_table`."""
        self.words, self.probabilities, self.beliefs = arrays
        self.states = list(states)
        self.alphabet = list(alphabet)

    def __len__(self) -> int:
        return int(self.words.shape[0])

    def __repr__(self) -> str:
        return f"BeliefTable(words={len(self)}, shape={tuple(self.beliefs.shape)})"


def mixed_states(
    p: "Process",
    depth: Optional[int],
    tol: Optional[float],
    max_nodes: int,
    resolution: float,
) -> MixedStates:
    if depth is None and tol is None:
        depth = DEFAULT_DEPTH
    if depth is not None:
        depth = _whole(depth, "depth")
    max_nodes = _whole(max_nodes, "max_nodes", 1)
    arrays = _cmech.mixed_states(
        p._p, depth, 0.0 if tol is None else float(tol), max_nodes, float(resolution)
    )
    return MixedStates(arrays, p.states, p.alphabet)


def _symbols(p: "Process", sequence: Any) -> np.ndarray:
    """A sequence (or a batch of them) as int64 indices into the alphabet."""
    if isinstance(sequence, str):
        # Read as any text is (cmech.reconstruct included): line endings are not symbols, spaces are.
        return _cmech.symbol_indices(p._p, text=sequence)
    if isinstance(sequence, (list, tuple)) and sequence and all(isinstance(x, str) for x in sequence):
        return _cmech.symbol_indices(p._p, tokens=list(sequence))
    arr = np.asarray(sequence)
    if arr.dtype.kind == "b":
        # Bools are the symbols 0 and 1, as everywhere in cmech.
        arr = arr.astype(np.int64)
    if arr.size == 0:
        return arr.astype(np.int64).reshape(arr.shape if arr.ndim == 2 else (0,))
    if arr.dtype.kind not in "iu":
        raise _invalid_argument(
            f"a sequence must hold integer symbol indices (or be a str of symbols), not {arr.dtype}"
        )
    if arr.ndim not in (1, 2):
        raise _invalid_argument(f"a sequence must be 1-D (or 2-D, one sequence per row), not {arr.ndim}-D")
    return arr.astype(np.int64, copy=False)


def beliefs(
    p: "Process", sequence: Any, start: Union[None, Sequence[float], np.ndarray], log_prob: bool
) -> Any:
    symbols = _symbols(p, sequence)
    batch = symbols.ndim == 2
    rows = symbols if batch else symbols.reshape(1, -1)
    st = None if start is None else np.asarray(start, dtype=np.float64).ravel()
    out, logs = _cmech.trajectories(p._p, np.ascontiguousarray(rows), st)
    result = out if batch else out[0]
    if log_prob:
        return result, (logs if batch else float(logs[0]))
    return result


def belief_table(p: "Process", length: int) -> BeliefTable:
    length = _whole(length, "belief table length", 1)
    return BeliefTable(_cmech.table(p._p, length), p.states, p.alphabet)
