"""Cellular automata and their local information dynamics.

- :func:`elementary`: Wolfram's elementary CAs (rules 0 to 255) on a ring of cells, from a given or
  a seeded random initial row; a ``(steps, width)`` uint8 field whose row 0 is the initial row.
- :func:`life`: Conway's Game of Life (B3/S23) on a torus, from a grid, a named pattern
  (:data:`PATTERNS`) or a seeded random grid; a ``(steps, height, width)`` uint8 field.
- Local active information storage and local transfer entropy over a field (Lizier, Prokopenko &
  Zomaya 2008, Phys. Rev. E 77, 026110): probabilities are pooled over every cell and step (as
  JIDT's ``addObservations(int[][], j)``), and the local value is computed at every cell from step
  ``k`` on, so the local arrays have ``steps - k`` rows; row ``t`` belongs to step ``t + k``.
  Channel ``j = 1`` takes the source from the left neighbour (cell i - 1 for target i), ``j = -1``
  from the right; on a Life field a channel is ``(dy, dx)``: the source of (y, x) is
  (y - dy, x - dx).

Example (Lizier's picture of rule 54: gliders stand out in the local TE)::

    import cmech
    f = cmech.ca.elementary(54, width=1000, steps=600, seed=1)
    te = cmech.ca.local_transfer_entropy(f, k=16, j=1)      # (584, 1000) float64
    ais = cmech.ca.local_active_information(f, k=16)
"""

from __future__ import annotations

from typing import Any, Iterator, List, Optional, Tuple, Union

import numpy as np

from . import _cmech
from ._process import _invalid_argument, _whole

__all__ = [
    "elementary",
    "life",
    "PATTERNS",
    "active_information",
    "local_active_information",
    "transfer_entropy",
    "local_transfer_entropy",
    "LocalBlocks",
    "local_blocks",
]

#: History length of the local measures when none is given (Lizier's k = 16 for rule 54), from
#: the Rust library, which the command line takes it from too.
DEFAULT_K: int = _cmech.ca_default_history()

#: The named Life patterns: ``glider`` and ``gosper-gun`` (Gosper's glider gun).
PATTERNS: List[str] = list(_cmech.life_patterns())

Channel = Union[int, Tuple[int, int]]


def _binary(value: Any, what: str, ndim: int) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.size and arr.dtype.kind not in "iu":
        raise _invalid_argument(f"{what} must hold integers 0 or 1, not {arr.dtype} values")
    if arr.ndim != ndim:
        raise _invalid_argument(f"{what} must be {ndim}-D, not {arr.ndim}-D")
    return np.ascontiguousarray(arr, dtype=np.int64)


def _density(density: Any) -> float:
    try:
        d = float(density)
    except (TypeError, ValueError):
        raise _invalid_argument(f"density must be a number in [0, 1], got {density!r}") from None
    if not 0.0 <= d <= 1.0:
        raise _invalid_argument(f"density must be in [0, 1], got {density!r}")
    return d


def elementary(
    rule: int,
    width: Optional[int] = None,
    steps: int = 100,
    seed: int = 0,
    initial: Any = None,
    density: float = 0.5,
) -> np.ndarray:
    """The space-time field of elementary CA ``rule`` (Wolfram numbering) on a ring.

    Parameters
    ----------
    rule : int
        0 to 255.
    width : int, optional
        Cells per row, for a random initial row (each cell 1 with probability ``density``, drawn
        from ``seed``; the same row as the CLI's ``cmech ca RULE --width W --seed S``).
    steps : int
        Rows of the field, the first being the initial row.
    initial : array_like of 0/1, optional
        The initial row (then ``width``, if given, must be its length).

    Returns
    -------
    numpy.ndarray
        ``(steps, width)`` uint8, row 0 the initial row.
    """
    if isinstance(rule, bool):
        raise _invalid_argument(f"rule must be an integer 0 to 255, got {rule!r}")
    try:
        r = int(rule) if isinstance(rule, (int, np.integer)) else int(str(rule).strip())
    except ValueError:
        raise _invalid_argument(
            f"unknown elementary CA rule {rule!r} (rules are numbered 0 to 255)"
        ) from None
    steps = _whole(steps, "steps", 1)
    seed = _whole(seed, "seed", 0, 1 << 64)
    if initial is not None:
        row = _binary(initial, "the initial row", 1)
        if width is not None and _whole(width, "width") != row.shape[0]:
            raise _invalid_argument(
                f"width {width} differs from the {row.shape[0]} cells of the initial row"
            )
        return _cmech.ca_elementary(r, steps, None, row, seed, 0.5)
    if width is None:
        raise _invalid_argument("an elementary CA needs a width or an initial row")
    return _cmech.ca_elementary(r, steps, _whole(width, "width"), None, seed, _density(density))


def life(
    height: int,
    width: int,
    steps: int,
    seed: int = 0,
    initial: Any = None,
    pattern: Optional[str] = None,
    density: float = 0.5,
    at: Tuple[int, int] = (1, 1),
) -> np.ndarray:
    """The space-time field of Conway's Game of Life (B3/S23) on a ``height`` x ``width`` torus.

    The initial grid is ``initial`` (``(height, width)`` of 0/1), else the named ``pattern`` (see
    :data:`PATTERNS`) with its corner at ``at`` on an empty torus (the CLI places it at (1, 1)),
    else a random grid (each cell 1 with probability ``density``, from ``seed``).

    Returns
    -------
    numpy.ndarray
        ``(steps, height, width)`` uint8, step 0 the initial grid.
    """
    height = _whole(height, "height")
    width = _whole(width, "width")
    steps = _whole(steps, "steps", 1)
    seed = _whole(seed, "seed", 0, 1 << 64)
    grid = None
    if initial is not None:
        if pattern is not None:
            raise _invalid_argument("give an initial grid or a pattern, not both")
        grid = _binary(initial, "the initial grid", 2)
        if grid.shape != (height, width):
            raise _invalid_argument(
                f"the initial grid is {grid.shape[0]} x {grid.shape[1]}, not {height} x {width}"
            )
    if pattern is not None and not isinstance(pattern, str):
        raise _invalid_argument(f"pattern must be a name ({', '.join(PATTERNS)}), got {pattern!r}")
    place = (_whole(at[0], "at[0]"), _whole(at[1], "at[1]"))
    return _cmech.ca_life(height, width, steps, seed, _density(density), grid, pattern, place)


def _field(field: Any) -> np.ndarray:
    """A field as C-contiguous uint8 ``(steps, height, width)``."""
    arr = np.asarray(field)
    if arr.dtype.kind == "b":
        arr = arr.astype(np.uint8)
    if arr.size and arr.dtype.kind not in "iu":
        raise _invalid_argument(f"a field must hold integer cell values, not {arr.dtype} values")
    if arr.ndim == 2:
        arr = arr[:, np.newaxis, :]
    elif arr.ndim != 3:
        raise _invalid_argument(
            f"a field must be (steps, width) or (steps, height, width), not {arr.ndim}-D"
        )
    if arr.size and arr.dtype != np.uint8:
        lo, hi = int(arr.min()), int(arr.max())
        if lo < 0 or hi > 255:
            raise _invalid_argument(f"cell value {lo if lo < 0 else hi} is not in 0 to 255")
    return np.ascontiguousarray(arr, dtype=np.uint8)


def _channel(j: Channel) -> Tuple[int, int]:
    if isinstance(j, (tuple, list)):
        if len(j) != 2:
            raise _invalid_argument(f"a channel is j or (dy, dx), got {j!r}")
        return (_whole(j[0], "dy", -(1 << 62)), _whole(j[1], "dx", -(1 << 62)))
    return (0, _whole(j, "j", -(1 << 62)))


def _native(field: Any, measure: str, k: int, j: Channel, local: bool, alphabet: Optional[int]) -> Tuple[float, Optional[np.ndarray]]:
    arr = _field(field)
    a = None if alphabet is None else _whole(alphabet, "alphabet", 1, 257)
    average, values, _ = _cmech.ca_measure(arr, measure, _whole(k, "k", 1), _channel(j), a, local)
    return float(average), values


def _average(field: Any, measure: str, k: int, j: Channel, alphabet: Optional[int]) -> float:
    return _native(field, measure, k, j, False, alphabet)[0]


def _local(field: Any, measure: str, k: int, j: Channel, alphabet: Optional[int]) -> np.ndarray:
    values = _native(field, measure, k, j, True, alphabet)[1]
    assert values is not None  # the native layer returns local values when asked for them
    return values[:, 0, :] if np.ndim(field) == 2 else values


def active_information(field: Any, k: int = DEFAULT_K, alphabet: Optional[int] = None) -> float:
    """Average active information storage with history ``k``, pooled over every cell of a field
    (``(steps, width)`` or ``(steps, height, width)``), in bits."""
    return _average(field, "ais", k, 1, alphabet)


def local_active_information(field: Any, k: int = DEFAULT_K, alphabet: Optional[int] = None) -> np.ndarray:
    """Local active information storage at every cell from step ``k`` on: ``(steps - k, width)``
    (or ``(steps - k, height, width)``) float64; its mean is :func:`active_information`."""
    return _local(field, "ais", k, 1, alphabet)


def transfer_entropy(field: Any, k: int = DEFAULT_K, j: Channel = 1, alphabet: Optional[int] = None) -> float:
    """Average transfer entropy along channel ``j`` (source cell i - j one step before; on a Life
    field ``j = (dy, dx)``), target history ``k``, pooled over every cell, in bits."""
    return _average(field, "te", k, j, alphabet)


def local_transfer_entropy(
    field: Any, k: int = DEFAULT_K, j: Channel = 1, alphabet: Optional[int] = None
) -> np.ndarray:
    """Local transfer entropy along channel ``j`` at every cell from step ``k`` on:
    ``(steps - k, width)`` (or ``(steps - k, height, width)``) float64; its mean is
    :func:`transfer_entropy`. ``j = 1``: information moving right (source on the left),
    ``j = -1``: moving left."""
    return _local(field, "te", k, j, alphabet)


#: Values per block of :func:`local_blocks` when no ``rows`` is given: 16 MiB of float64.
BLOCK_VALUES = 1 << 21


class LocalBlocks:
    """The local values of a field, a block of steps at a time (from :func:`local_blocks`).

    The field is counted once when this is made; iterating computes each block as it is asked
    for and yields ``(step, values)``: the first step of the block and its values, ``(n, width)``
    for a ``(steps, width)`` field or ``(n, height, width)``, float64, exactly those of
    :func:`local_transfer_entropy` (or :func:`local_active_information`) at steps ``step`` to
    ``step + n - 1``. Only a copy of the field (one byte a cell) and one block are held at a time,
    so a field whose local values would not fit in memory (10^4 x 10^4 cells make 800 MB) can
    still be written, drawn or summarised; the values are those of the field as it was when this
    was made, whatever is done to it afterwards.

    Attributes:
        average: the mean of all the local values (the pooled global value), in bits.
        offset: the first step with a value (``k``).
        rows: the number of steps with values (``steps - k``).
        block_rows: the steps per block (the last may be shorter).
    """

    def __init__(self, native: Any, flat: bool) -> None:
        self._native = native
        self._flat = flat
        self.average: float = float(native.average)
        self.offset: int = int(native.offset)
        self.rows: int = int(native.rows)
        self.block_rows: int = int(native.block_rows)

    def __iter__(self) -> Iterator[Tuple[int, np.ndarray]]:
        for step, values in self._native:
            yield int(step), (values[:, 0, :] if self._flat else values)

    def __repr__(self) -> str:
        return (
            f"LocalBlocks(rows={self.rows}, offset={self.offset}, block_rows={self.block_rows}, "
            f"average={self.average:.6g})"
        )


def local_blocks(
    field: Any,
    measure: str = "te",
    k: int = DEFAULT_K,
    j: Channel = 1,
    rows: Optional[int] = None,
    alphabet: Optional[int] = None,
) -> LocalBlocks:
    """Local ``"te"`` (along channel ``j``, as :func:`local_transfer_entropy`) or ``"ais"`` (as
    :func:`local_active_information`) of a field, ``rows`` steps at a time (default: about 16 MiB
    of values a block). See :class:`LocalBlocks`; for example the mean of each step::

        blocks = cmech.ca.local_blocks(field, "te", k=16)
        means = np.concatenate([v.mean(axis=1) for _, v in blocks])
    """
    if measure not in ("te", "ais"):
        raise _invalid_argument(f"unknown field measure {measure!r} (te or ais)")
    arr = _field(field)
    a = None if alphabet is None else _whole(alphabet, "alphabet", 1, 257)
    cells = max(1, arr.shape[1] * arr.shape[2])
    block = max(1, BLOCK_VALUES // cells) if rows is None else _whole(rows, "rows", 1)
    native = _cmech.ca_local_blocks(arr, measure, _whole(k, "k", 1), _channel(j), a, block)
    return LocalBlocks(native, np.ndim(field) == 2)
