"""Pictures of beliefs, drawn with matplotlib when it is installed (it is optional).

The projections are the library's own (the same as ``cmech beliefs --png``): the 2-simplex for three
states (states at the left, right and top corners), three named states of a larger presentation, the
first two principal components, or the segment for two states.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import numpy as np

from . import _cmech
from ._process import _invalid_argument


def _projection(n: int, projection: Union[None, str, Sequence[int]]) -> Any:
    if projection is None:
        projection = "segment" if n <= 2 else "simplex" if n == 3 else "pca"
    if isinstance(projection, str):
        if projection == "simplex" and n != 3:
            raise _invalid_argument(
                f"the simplex projection needs three states (the beliefs have {n}); give three "
                "state indices, or use 'pca'"
            )
        if projection not in ("simplex", "pca", "segment"):
            raise _invalid_argument(
                f"projection '{projection}' is not 'simplex', 'pca', 'segment' or three state indices"
            )
        return projection, None
    states = [int(i) for i in projection]
    if len(states) != 3 or len(set(states)) != 3 or not all(0 <= i < n for i in states):
        raise _invalid_argument(f"projection {projection!r} is not three distinct state indices below {n}")
    return "simplex", states


def _points(beliefs: Any, projection: Union[None, str, Sequence[int]]) -> Any:
    b = np.asarray(beliefs, dtype=np.float64)
    if b.ndim < 1 or b.shape[-1] == 0:
        raise _invalid_argument("beliefs must be an array whose last axis holds the states")
    b = np.ascontiguousarray(b.reshape(-1, b.shape[-1]))
    kind, states = _projection(b.shape[1], projection)
    return b, _cmech.project_beliefs(b, kind, states), kind, states


def project(beliefs: Any, projection: Union[None, str, Sequence[int]] = None) -> np.ndarray:
    """Points in the plane, ``(N, 2)``, for beliefs ``(..., states)`` (leading axes are flattened)."""
    points: np.ndarray = _points(beliefs, projection)[1]
    return points


def simplex(
    beliefs: Any,
    ax: Any = None,
    c: Any = None,
    states: Optional[Sequence[str]] = None,
    projection: Union[None, str, Sequence[int]] = None,
    s: float = 0.5,
    **kwargs: Any,
) -> Any:
    """Scatter beliefs in the plane and return the matplotlib axes.

    ``beliefs`` is ``(..., states)``: a :class:`MixedStates`' or :class:`BeliefTable`'s beliefs,
    a trajectory, or regression outputs. ``c`` colours the points (an array of values or colours; by
    default each belief's first three components as red, green, blue); ``states`` names the corners;
    ``projection`` is ``None`` (simplex for three states, PCA above), ``"pca"``, ``"simplex"``,
    ``"segment"`` or three state indices. Other keyword arguments go to ``ax.scatter``. The x label says
    which projection was used.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - exercised only without matplotlib
        raise ImportError(
            "cmech.plot needs matplotlib, which is optional: pip install matplotlib"
        ) from None
    b, pts, kind, idx = _points(beliefs, projection)
    n = b.shape[1]
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5.4))
    if c is None:
        rgb = np.zeros((len(b), 3))
        rgb[:, : min(3, n)] = np.clip(b[:, :3], 0.0, 1.0)
        c = rgb
    names = list(states) if states is not None else [str(i) for i in range(n)]
    if kind == "simplex":
        h = np.sqrt(3) / 2
        ax.plot([0, 1, 0.5, 0], [0, 0, h, 0], color="0.4", lw=0.8)
        corners = idx or [0, 1, 2]
        for name, (x, y, ha) in zip(
            [names[i] for i in corners], [(0, -0.04, "right"), (1, -0.04, "left"), (0.5, h + 0.02, "center")]
        ):
            ax.text(x, y, name, ha=ha, va="top" if y < 0 else "bottom")
        ax.set_aspect("equal")
    ax.scatter(pts[:, 0], pts[:, 1], c=c, s=s, linewidths=0, **kwargs)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xlabel(_cmech.describe_projection(kind, names, idx))
    return ax
