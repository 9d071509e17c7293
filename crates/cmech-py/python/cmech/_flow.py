"""Information flow on discrete series: transfer entropy, active information storage, mutual
information, entropies, their local values and significance tests, and boundary scores.

Plug-in estimates in bits, counted once over every trial. A series is read as
:func:`cmech.reconstruct` reads data: a 1-D integer or bool array (one trial), a 2-D one (one
trial per row; windows never cross from one row into the next, counts are pooled over all rows,
as PyInform does with 2-D arrays), a list of symbols, a list of trials, or a str of characters.
Its symbols are those present, in sorted order (so 0/1 and 0/2 spell the same binary series),
at most 256; ``alphabet`` lists them instead (an int ``n`` stands for 0 to n - 1, PyInform's
base), and a symbol outside it is an error.

Conventions (those of PyInform and JIDT):

- ``transfer_entropy(source, target, k, l, delay)`` is
  I(source_{t-delay-l+1..t-delay} ; target_t | target_{t-k..t-1}); conditioning series enter with
  their value at t - 1.
- ``active_information(x, k)`` is I(x_{t-k..t-1} ; x_t).
- Local values exist where every window is complete: a trial's first ``max(k, delay + l - 1)``
  steps (for AIS its first ``k``) have none, so ``local=True`` returns ``(T - offset,)`` for a 1-D
  series and ``(trials, T - offset)`` for a 2-D one, as PyInform does. Their mean is the average.
- ``bias="miller-madow"`` corrects an average: each entropy of the sum that makes the measure
  (MI = H(X) + H(Y) - H(X,Y), CMI and TE = H(X,Z) + H(Y,Z) - H(X,Y,Z) - H(Z), ...) gains
  (m - 1) / (2 N ln 2) bits, m its nonzero cells (Miller 1955). Local values and significance
  tests are plug-in only.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _cmech
from ._cmech import BoundaryScores, ChiSquareTest, SurrogateTest
from ._read import _alphabet_entries, _sequences
from ._errors import CmechWarning
from ._process import _invalid_argument, _whole

#: The symbols of a series, in order: a list of int or str, or an int n for 0 to n - 1.
Alphabet = Union[int, str, Sequence[Union[str, int]]]

__all__ = [
    "transfer_entropy",
    "active_information",
    "mutual_information",
    "conditional_mutual_information",
    "entropy",
    "block_entropy",
    "entropy_rate",
    "significance",
    "boundary_scores",
    "SurrogateTest",
    "ChiSquareTest",
    "BoundaryScores",
]

#: Surrogates of a surrogate test when ``surrogates`` is not given (as JIDT's default).
DEFAULT_SURROGATES = 1000

#: The bias corrections of an average.

ArrayLike = Any


Test = Union[SurrogateTest, ChiSquareTest]


def _conditions(condition: Union[None, ArrayLike, Sequence[ArrayLike]]) -> List[ArrayLike]:
    """One conditioning array or a list of them."""
    if condition is None:
        return []
    if isinstance(condition, np.ndarray):
        return [condition]
    if isinstance(condition, (list, tuple)):
        if len(condition) == 0:
            return []
        first = condition[0]
        if isinstance(first, np.ndarray) or isinstance(first, (list, tuple)):
            return list(condition)
        return [condition]  # one series given as a list of ints
    return [condition]


def _alphabet(alphabet: Any) -> Optional[List[Union[str, int]]]:
    """The symbols in order, as :func:`cmech.reconstruct` takes them; an int ``n`` stands for
    the symbols 0 to n - 1 (PyInform's base)."""
    if isinstance(alphabet, (int, np.integer)) and not isinstance(alphabet, bool):
        return list(range(_whole(alphabet, "alphabet", 1, 257)))
    return _alphabet_entries(alphabet)


def _prepare(named: Sequence[Tuple[str, ArrayLike]]) -> Tuple[List[Any], List[str], bool]:
    """Each series as its trials (read as :func:`cmech.reconstruct` reads data: one trial per
    sequence, row of a 2-D array or str), and whether local values come one row per trial."""
    series = []
    batch = False
    for name, value in named:
        parts = _sequences(value, name)
        batch = batch or len(parts) > 1 or any(np.ndim(p) == 2 for _, p in parts if isinstance(p, np.ndarray))
        series.append(parts)
    return series, [n for n, _ in named], batch


def _bias(bias: Any, local: bool, test: Optional[str]) -> str:
    """The canonical name of `bias`, checked by the core's rule (the CLI's too): a correction
    applies to the average, not to local values or a significance test."""
    if not isinstance(bias, str):
        raise _invalid_argument(f"bias must be 'plug-in' or 'miller-madow', got {bias!r}")
    return _cmech.check_bias(bias, bool(local), test is not None)


def _run(
    measure: str,
    named: Sequence[Tuple[str, ArrayLike]],
    alphabet: Optional[Alphabet],
    local: bool,
    test: Optional[str],
    surrogates: Optional[int],
    seed: int,
    k: int = 1,
    l: int = 1,
    delay: int = 1,
    lag: int = 0,
    bias: str = "plug-in",
) -> Any:
    b = _bias(bias, local, test)
    arrays, names, batch = _prepare(named)
    a = _alphabet(alphabet)
    if test is not None:
        kind = _test_kind(test)
        n = DEFAULT_SURROGATES if surrogates is None else _whole(surrogates, "surrogates", 1)
        seed = _whole(seed, "seed", 0, 1 << 64)
        return _cmech.significance(measure, arrays, names, kind, a, k, l, delay, lag, n, seed)
    value, values, _, warning = _cmech.estimate(measure, arrays, names, a, k, l, delay, lag, bool(local), b)
    if warning is not None:
        warnings.warn(warning, CmechWarning, stacklevel=3)
    if values is None:
        return float(value)
    return values if batch else values[0]


def _test_kind(test: Any) -> str:
    if test in ("surrogate", "surrogates"):
        return "surrogate"
    if test in ("chi-square", "chi2", "chi_square", "chisquare"):
        return "chi-square"
    raise _invalid_argument(f"test must be 'surrogate' or 'chi-square', got {test!r}")


def transfer_entropy(
    source: ArrayLike,
    target: ArrayLike,
    k: int = 1,
    l: int = 1,
    delay: int = 1,
    condition: Union[None, ArrayLike, Sequence[ArrayLike]] = None,
    local: bool = False,
    alphabet: Optional[Alphabet] = None,
    test: Optional[str] = None,
    surrogates: Optional[int] = None,
    seed: int = 0,
    bias: str = "plug-in",
) -> Any:
    """Transfer entropy TE(source -> target), in bits.

    I(source_{t-delay-l+1..t-delay} ; target_t | target_{t-k..t-1}, conditions_{t-1}): how much the
    source's past tells about the target's next value beyond the target's own past (Schreiber 2000;
    PyInform's and JIDT's conventions).

    Parameters
    ----------
    source, target : array_like of int
        1-D (one trial) or 2-D (one trial per row) arrays of symbols, of the same shape.
    k : int
        Target history length (at least 1).
    l : int
        Source history length (at least 1).
    delay : int
        Source-target delay: the newest source value is at t - delay (at least 1).
    condition : array_like or list of array_like, optional
        Conditioning series (conditional TE), each entering with its value at t - 1.
    local : bool
        Return the local values instead of the average: ``(T - offset,)`` for 1-D input,
        ``(trials, T - offset)`` for 2-D, with ``offset = max(k, delay + l - 1)``.
    alphabet : int or list, optional
        The symbols, in order (an int ``n``: 0 to n - 1); every symbol must be one of them.
    test : {"surrogate", "chi-square"}, optional
        Return a :class:`SurrogateTest` (with ``surrogates`` permutations from ``seed``) or a
        :class:`ChiSquareTest` instead of the value.
    bias : {"plug-in", "miller-madow"}
        Correction of the average: Miller-Madow adds (m - 1) / (2 N ln 2) to each of the
        entropies H(X,Z) + H(Y,Z) - H(X,Y,Z) - H(Z) (m: the nonzero cells of each table). Not with
        ``local`` or ``test``.

    Returns
    -------
    float, numpy.ndarray (float64) or a test
    """
    named = [("source", source), ("target", target)]
    conds = _conditions(condition)
    named += [(f"condition[{i}]" if len(conds) > 1 else "condition", c) for i, c in enumerate(conds)]
    return _run(
        "te",
        named,
        alphabet,
        local,
        test,
        surrogates,
        seed,
        k=_whole(k, "k", 1),
        l=_whole(l, "l", 1),
        delay=_whole(delay, "delay", 1),
        bias=bias,
    )


def active_information(
    series: ArrayLike,
    k: int = 1,
    local: bool = False,
    alphabet: Optional[Alphabet] = None,
    test: Optional[str] = None,
    surrogates: Optional[int] = None,
    seed: int = 0,
    bias: str = "plug-in",
) -> Any:
    """Active information storage I(x_{t-k..t-1} ; x_t) with history ``k``, in bits (Lizier,
    Prokopenko & Zomaya 2012): how much of the next value the series' own past predicts.

    ``series`` is 1-D (one trial) or 2-D (one per row); ``local=True`` returns the local values,
    ``(T - k,)`` or ``(trials, T - k)``; ``test`` as in :func:`transfer_entropy` (the histories are
    permuted against the next values); ``bias`` as in :func:`transfer_entropy` (on
    H(X) + H(past) - H(X, past)).
    """
    return _run(
        "ais", [("series", series)], alphabet, local, test, surrogates, seed, k=_whole(k, "k", 1), bias=bias
    )


def mutual_information(
    x: ArrayLike,
    y: ArrayLike,
    local: bool = False,
    alphabet: Optional[Alphabet] = None,
    lag: int = 0,
    test: Optional[str] = None,
    surrogates: Optional[int] = None,
    seed: int = 0,
    bias: str = "plug-in",
) -> Any:
    """Mutual information I(x_{t-lag} ; y_t) in bits (``lag`` 0: at the same step).

    ``local=True`` returns the local values (``(T - lag,)`` or ``(trials, T - lag)``); ``test`` as in
    :func:`transfer_entropy` (``y`` is permuted); ``bias`` as there (on H(X) + H(Y) - H(X, Y)).
    """
    return _run(
        "mi", [("x", x), ("y", y)], alphabet, local, test, surrogates, seed, lag=_whole(lag, "lag"), bias=bias
    )


def conditional_mutual_information(
    x: ArrayLike,
    y: ArrayLike,
    z: Union[ArrayLike, Sequence[ArrayLike]],
    local: bool = False,
    alphabet: Optional[Alphabet] = None,
    test: Optional[str] = None,
    surrogates: Optional[int] = None,
    seed: int = 0,
    bias: str = "plug-in",
) -> Any:
    """Conditional mutual information I(x_t ; y_t | z_t) in bits; ``z`` is one series or a list of
    them (conditioned on jointly, at the same step). ``local``, ``test`` and ``bias`` as in
    :func:`mutual_information`."""
    zs = _conditions(z)
    if not zs:
        raise _invalid_argument("conditional mutual information needs at least one series z")
    named = [("x", x), ("y", y)] + [(f"z[{i}]" if len(zs) > 1 else "z", c) for i, c in enumerate(zs)]
    return _run("cmi", named, alphabet, local, test, surrogates, seed, bias=bias)


def entropy(x: ArrayLike, local: bool = False, alphabet: Optional[Alphabet] = None, bias: str = "plug-in") -> Any:
    """Shannon entropy H(x) of the symbols, in bits; ``local=True``: -log2 p(x_t) at every step;
    ``bias="miller-madow"`` adds (m - 1) / (2 N ln 2), m the distinct symbols seen."""
    return _run("entropy", [("x", x)], alphabet, local, None, None, 0, bias=bias)


def block_entropy(
    x: ArrayLike, k: int, local: bool = False, alphabet: Optional[Alphabet] = None, bias: str = "plug-in"
) -> Any:
    """Block entropy H(x_{t..t+k-1}) of the blocks of ``k`` symbols within trials, in bits.

    ``local=True`` gives -log2 p(block) for every block, ``(T - k + 1,)`` or
    ``(trials, T - k + 1)``, in the order of the blocks (as PyInform); ``bias`` as in
    :func:`entropy` (m the distinct blocks seen)."""
    return _run("block_entropy", [("x", x)], alphabet, local, None, None, 0, k=_whole(k, "k", 1), bias=bias)


def entropy_rate(x: ArrayLike, k: int, alphabet: Optional[Alphabet] = None, bias: str = "plug-in") -> float:
    """Entropy rate estimate H(x_t | x_{t-k..t-1}) with history ``k``, in bits (PyInform's
    ``entropy_rate``). Transfer entropy with history ``k`` never exceeds it. ``bias`` as in
    :func:`entropy`, on H(past, x_t) - H(past)."""
    return float(
        _run("entropy_rate", [("x", x)], alphabet, False, None, None, 0, k=_whole(k, "k", 1), bias=bias)
    )


def significance(
    measure: str,
    *series: ArrayLike,
    test: str = "surrogate",
    surrogates: int = DEFAULT_SURROGATES,
    seed: int = 0,
    **options: Any,
) -> Test:
    """The significance test of an estimate.

    ``measure`` is ``"te"`` (series: source, target), ``"ais"`` (series), ``"mi"`` (x, y) or
    ``"cmi"`` (x, y, z); ``options`` are those of the estimator (``k``, ``l``, ``delay``,
    ``condition``, ``alphabet``, ``lag``). ``test`` is ``"surrogate"`` (``surrogates`` seeded
    permutations; returns a :class:`SurrogateTest`) or ``"chi-square"`` (a :class:`ChiSquareTest`).

    Example: ``cmech.significance("te", x, y, k=2, surrogates=1000, seed=1).p_value``.
    """
    functions: Dict[str, Callable[..., Any]] = {
        "te": transfer_entropy,
        "transfer_entropy": transfer_entropy,
        "ais": active_information,
        "active_information": active_information,
        "mi": mutual_information,
        "mutual_information": mutual_information,
        "cmi": conditional_mutual_information,
        "conditional_mutual_information": conditional_mutual_information,
    }
    if measure not in functions:
        raise _invalid_argument(
            f"significance tests apply to te, ais, mi and cmi, not {measure!r}"
        )
    if "local" in options:
        raise _invalid_argument("a significance test has no local values")
    result = functions[measure](*series, test=test, surrogates=surrogates, seed=seed, **options)
    assert isinstance(result, (SurrogateTest, ChiSquareTest))
    return result


def _indices(value: Any, what: str) -> List[int]:
    if value is None:
        return []
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return [int(value)]
    return [_whole(v, f"a variable of the {what}") for v in value]


def boundary_scores(
    data: ArrayLike,
    inside: Any,
    active: Any = (),
    passive: Any = (),
    environment: Any = None,
    surrogates: int = 0,
    seed: int = 0,
    alphabet: Optional[Alphabet] = None,
) -> BoundaryScores:
    """Infiltration and exfiltration of a split of the variables of a multivariate series.

    Parameters
    ----------
    data : array_like of int
        ``(T, variables)`` (one trial) or ``(trials, T, variables)``.
    inside, active, passive, environment : int or sequence of int
        Column indices of V, A, P and E (disjoint; V and E not empty). ``environment`` defaults to
        every variable in no other group.
    surrogates : int
        With ``surrogates`` > 0, each score comes with a seeded surrogate test.
    alphabet : int or list, optional
        The symbols of every variable, in order (an int ``n``: 0 to n - 1).

    Returns
    -------
    BoundaryScores
    """
    arr = np.asarray(data)
    if arr.dtype.kind == "b":
        arr = arr.view(np.uint8)
    if arr.size and arr.dtype.kind not in "iu":
        raise _invalid_argument(f"data must hold integer symbols, not {arr.dtype} values")
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    elif arr.ndim != 3:
        raise _invalid_argument(
            f"data must be (T, variables) or (trials, T, variables), not {arr.ndim}-D"
        )
    n = arr.shape[2]
    v, a, p = _indices(inside, "inside"), _indices(active, "active boundary"), _indices(passive, "passive boundary")
    if environment is None:
        taken = set(v) | set(a) | set(p)
        e = [i for i in range(n) if i not in taken]
    else:
        e = _indices(environment, "environment")
    # One row of steps per variable and trial, variable after variable, read with one alphabet.
    rows = np.ascontiguousarray(arr.transpose(2, 0, 1)).reshape(n * arr.shape[0], arr.shape[1])
    return _cmech.boundary(
        rows,
        n,
        v,
        a,
        p,
        e,
        _alphabet(alphabet),
        _whole(surrogates, "surrogates"),
        _whole(seed, "seed", 0, 1 << 64),
    )
