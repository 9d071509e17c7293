"""Python data as the Rust library reads it: numpy arrays, str, bytes, lists of symbols or of
sequences, and paths to files, turned into the payloads and streams that ``cmech_io`` opens (the
same formats, alphabets and messages as the command line's), and the checks of the arguments that
say how to read them. Shared by counting, reconstruction, estimation, transducers and information
flow, so that data mean the same in every function.
"""

from __future__ import annotations

import operator
import os
import warnings
from typing import Any, Iterable, List, Optional, Tuple, Union

import numpy as np

from . import _cmech
from ._errors import CmechWarning, InvalidArgumentError, InvalidDataError

#: How the core names the tests in its diagnostics document.
_FORMATS = tuple(_cmech.input_formats())


_INT_KINDS = "iu"


PathLike = Union[str, "os.PathLike[str]"]


def _invalid(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"invalid argument: {message}")


def _int_arg(value: Any, what: str, lo: Optional[int] = None) -> int:
    """An integer argument (its range is checked by the Rust library, or against ``lo``)."""
    if isinstance(value, bool):
        raise _invalid(f"{what} must be an integer, got {value!r}")
    try:
        v = operator.index(value)
    except TypeError:
        raise _invalid(f"{what} must be an integer, got {value!r}") from None
    if lo is not None and v < lo:
        raise _invalid(f"{what} must be at least {lo}, got {v}")
    return v


def _opt_int(value: Any, what: str) -> Optional[int]:
    return None if value is None else _int_arg(value, what)


def _quote(x: Any) -> str:
    return f"'{x}'" if isinstance(x, str) else repr(x)


def _paths(data: Any) -> Optional[List[str]]:
    """The paths of ``data`` if it is a path (os.PathLike, or str for Counts.load) or a
    non-empty list of os.PathLike; None otherwise."""
    if isinstance(data, (str, os.PathLike)):
        return [os.fsdecode(data)]
    if isinstance(data, (list, tuple)) and data and all(isinstance(p, (str, os.PathLike)) for p in data):
        return [os.fsdecode(p) for p in data]
    return None


def _file_paths(data: Any) -> Optional[List[str]]:
    """Paths of data files: os.PathLike, or a non-empty list of them (a str is data, not a path)."""
    if isinstance(data, os.PathLike):
        return [os.fsdecode(data)]
    if isinstance(data, (list, tuple)) and data and all(isinstance(p, os.PathLike) for p in data):
        return [os.fsdecode(p) for p in data]
    return None


def _alphabet_entries(alphabet: Any) -> Optional[List[Union[str, int]]]:
    """The alphabet as a list of str and int (a str stands for its characters); the Rust library
    checks the entries (duplicates, an empty alphabet, what fits the data)."""
    if alphabet is None:
        return None
    if isinstance(alphabet, str):
        entries: List[Any] = list(alphabet)
    elif isinstance(alphabet, (list, tuple, range, np.ndarray)):
        entries = list(alphabet.tolist() if isinstance(alphabet, np.ndarray) else alphabet)
    else:
        raise TypeError(
            f"alphabet must be a list of symbols or a str of characters, got {type(alphabet).__name__}"
        )
    for e in entries:
        if isinstance(e, bool) or not isinstance(e, (str, int, np.integer)):
            raise TypeError(f"alphabet entries are str or int, got {e!r}")
    return [int(e) if isinstance(e, (int, np.integer)) else e for e in entries]


def _alphabet_text(entries: Optional[List[Any]]) -> Optional[str]:
    """An alphabet list in the syntax of the CLI's --alphabet, for reading files."""
    if entries is None:
        return None
    texts = [str(e) for e in entries]
    for t in texts:
        if "," in t or (len(t) != 1 and (not t or any(c.isspace() for c in t))):
            raise _invalid(
                f"alphabet entry {t!r} cannot be given for a file (commas and whitespace separate "
                "the entries of a file's alphabet)"
            )
    return ",".join(texts)


def _float_error(label: str, dtype: Any) -> InvalidDataError:
    return InvalidDataError(
        f"{label}: array of dtype {dtype} is not a symbol sequence: only integer and bool arrays "
        "(int8 to int64, uint8 to uint64), strings and str text are read; convert it, e.g. with "
        "np.digitize or astype"
    )


#: What the native side counts: an integer array, a list of tokens, a str or bytes.
_Payload = Union[np.ndarray, List[str], str, bytes]


#: Views shorter than this are copied (see _from_array).
_OWN = 1 << 16


def _from_array(label: str, a: np.ndarray) -> _Payload:
    if a.dtype.kind == "b":
        # numpy stores a bool as one byte, 0 or 1: the symbols 0 and 1, as in a bool .npy file.
        a = np.ascontiguousarray(a).view(np.uint8)
    if a.dtype.kind in _INT_KINDS:
        if a.ndim == 0 or a.ndim > 2:
            raise InvalidDataError(
                f"{label}: an array of {a.ndim} dimensions {a.shape}; give a 1-D array (one "
                "sequence) or a 2-D array (one sequence per row)"
            )
        a = np.ascontiguousarray(a)
        if not a.dtype.isnative:
            a = a.astype(a.dtype.newbyteorder("="))
        elif a.base is not None and a.size < _OWN:
            # numpy's borrow checking costs the native side time in the number of views of one
            # array (the rows of a 2-D array in a list, say): short views go as copies of their own.
            a = a.copy()
        return a
    if a.dtype.kind in "USO" and a.ndim == 1:
        return _from_scalars(label, a.tolist())
    if a.dtype.kind in "US" and a.ndim == 2:
        raise InvalidDataError(
            f"{label}: a 2-D array of strings; give a list of token lists, one per sequence"
        )
    raise _float_error(label, a.dtype)


def _from_scalars(label: str, xs: List[Any], top: bool = False) -> _Payload:
    """A list of symbols: integers (as an array; bools are 0 and 1), or strings (tokens).
    ``top``: the list is the data itself, so a sequence in it means a mix of levels."""
    if not xs:
        return np.zeros(0, dtype=np.int64)
    # The common cases at numpy's speed; anything else is checked element by element below.
    if isinstance(xs[0], (int, np.integer)) and not isinstance(xs[0], (bool, np.bool_)):
        try:
            a = np.asarray(xs)
        except (OverflowError, ValueError, TypeError):
            a = None
        if a is not None and a.ndim == 1 and a.dtype.kind in _INT_KINDS:
            return a
    elif isinstance(xs[0], str) and all(isinstance(x, str) for x in xs):
        return [str(x) for x in xs]
    strs = ints = 0
    for i, x in enumerate(xs):
        if isinstance(x, str):
            strs += 1
        elif isinstance(x, (int, np.integer, bool, np.bool_)):
            ints += 1
        elif isinstance(x, (float, np.floating)):
            raise _float_error(label, np.asarray(x).dtype)
        elif top and _is_sequence(x):
            raise _mixed(label, xs, 0, i)
        else:
            raise TypeError(
                f"{label}[{i}] is {type(x).__name__}, not a symbol (an integer or a string)"
            )
        if strs and ints:
            j = next(j for j, y in enumerate(xs) if isinstance(y, str) != isinstance(x, str))
            raise InvalidDataError(
                f"{label} mixes strings and integers (index {j}: {xs[j]!r}, index {i}: {x!r})"
            )
    if strs:
        return [str(x) for x in xs]
    for dtype in (np.int64, np.uint64):
        try:
            return np.asarray(xs, dtype=dtype)
        except OverflowError:
            pass
    raise InvalidDataError(f"{label}: integers beyond 64 bits are not symbols")


def _mixed(label: str, xs: List[Any], symbol: int, sequence: int) -> TypeError:
    return TypeError(
        f"{label} mixes symbols and sequences ({label}[{symbol}] is {type(xs[symbol]).__name__}, "
        f"{label}[{sequence}] is {type(xs[sequence]).__name__}): give one sequence of symbols, or a "
        "list of sequences"
    )


def _is_sequence(x: Any) -> bool:
    return isinstance(x, (list, tuple, range, np.ndarray)) or (
        hasattr(x, "__array__") and not isinstance(x, (str, bytes, int, float, np.generic))
    )


def _sequences(data: Any, label: str = "data") -> List[Tuple[str, _Payload]]:
    """The in-memory data as (name in messages, payload) per sequence (see :func:`count`);
    ``label`` names the data in messages."""
    if isinstance(data, str):
        return [(label, data)]
    if isinstance(data, (bytes, bytearray, memoryview)):
        return [(label, bytes(data))]
    if isinstance(data, np.ndarray) or (hasattr(data, "__array__") and not isinstance(data, (list, tuple))):
        return [(label, _from_array(label, np.asarray(data)))]
    if isinstance(data, (list, tuple, range)):
        xs = list(data)
        if not xs or not _is_sequence(xs[0]):
            return [(label, _from_scalars(label, xs, top=True))]
        out: List[Tuple[str, _Payload]] = []
        for i, x in enumerate(xs):
            item = f"{label}[{i}]"
            if not _is_sequence(x):
                raise _mixed(label, xs, i, 0)
            if isinstance(x, np.ndarray) or not isinstance(x, (list, tuple, range)):
                out.append((item, _from_array(item, np.asarray(x))))
            else:
                inner = list(x)
                if inner and _is_sequence(inner[0]):
                    raise TypeError(
                        f"{item} holds sequences: a list of sequences is one level deep, each "
                        "a list, tuple or array of symbols"
                    )
                out.append((item, _from_scalars(item, inner)))
        return out
    raise TypeError(
        f"cannot count data of type {type(data).__name__}: give a numpy integer array, a list of "
        "symbols or of sequences, a str of characters, an os.PathLike path (pathlib.Path) to a "
        "file, or Counts"
    )


def _source(data: Any) -> str:
    """What in-memory data are called where a file would be named (a sidecar's source)."""
    if isinstance(data, str):
        return "<str>"
    if isinstance(data, (bytes, bytearray, memoryview)):
        return "<bytes>"
    return "<list>" if isinstance(data, (list, tuple, range)) else "<ndarray>"


#: A stream as the native functions that read sequences take it (``_cmech._Stream``).
_Stream = Tuple[Optional[List[str]], Optional[List[Tuple[str, _Payload]]], Any, str, str]


def _stream(data: Any, what: str, alphabet: Any, format: Optional[str]) -> _Stream:
    """``data`` as the native functions that read sequences rather than counts take it: files
    (os.PathLike) or data in memory, ``what`` naming it in messages."""
    entries = _alphabet_entries(alphabet)
    paths = _file_paths(data)
    if paths is not None:
        return (paths, None, _alphabet_text(entries), ", ".join(paths), ", ".join(paths))
    if format is not None:
        raise _invalid(
            "format applies to files (give the paths as pathlib.Path); data in memory are read by their type"
        )
    parts = [(what if label == "data" else what + label[4:], payload) for label, payload in _sequences(data)]
    return (None, parts, entries, what, _source(data))


def _warn(messages: Iterable[str]) -> None:
    for m in messages:
        warnings.warn(m, CmechWarning, stacklevel=3)
