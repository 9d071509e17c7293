"""The exceptions of cmech.

Every error of the core library is raised as a subclass of :class:`CmechError`, chosen by its kind, with
the same message text the ``cmech`` command-line tool prints. Errors about bad data (an invalid
presentation, unreadable JSON, an unknown process or parameter, a bad argument) are also
:class:`ValueError`, so code that already catches ``ValueError`` keeps working.
"""

from __future__ import annotations

__all__ = [
    "CmechError",
    "InvalidPresentationError",
    "InvalidJsonError",
    "UnknownProcessError",
    "InvalidParameterError",
    "InvalidArgumentError",
    "UnsupportedError",
    "InvalidDataError",
    "CmechIOError",
    "TooLargeError",
    "CmechWarning",
]


class CmechError(Exception):
    """Base class of every error raised by cmech. ``str(err)`` is the message, naming the problem."""


class InvalidPresentationError(CmechError, ValueError):
    """A presentation breaks a rule of edge-emitting HMMs: a probability that is NaN, negative or above
    one, rows that do not sum to one, an unknown or repeated symbol or state, a matrix of the wrong
    shape, an empty alphabet, a state with no way out."""


class InvalidJsonError(CmechError, ValueError):
    """A document that is not a presentation in the cmech JSON format (malformed or truncated JSON,
    missing or unknown fields)."""


class UnknownProcessError(CmechError, ValueError):
    """No named process has this name; the message lists the known ones."""


class InvalidParameterError(CmechError, ValueError):
    """A parameter of a named process is unknown, not a number, or out of its range."""


class InvalidArgumentError(CmechError, ValueError):
    """An argument of a call is out of range (a negative length, a start state that does not exist...)."""


class InvalidDataError(InvalidArgumentError):
    """Data given to :func:`cmech.count` or :func:`cmech.reconstruct`, or a count shard, cannot be used:
    no symbols, a symbol outside the given alphabet, floating-point or boolean values, a file that is
    not ASCII text, a corrupt or truncated shard, count tables of different alphabets or windows to
    merge. The message names the data (``data``, ``data[2]`` or the file) and where the problem is."""


class UnsupportedError(CmechError):
    """The computation needs a property the presentation lacks (for example unifilarity, or a single
    recurrent class)."""


class CmechIOError(CmechError, OSError):
    """Reading or writing a file failed."""


class TooLargeError(CmechError, MemoryError):
    """The computation would need more memory than can be allocated, or more than its stated
    bound; the message names the size and, where there is one, the bound. Also a
    :class:`MemoryError`, which Python raises when it runs out of memory itself."""


class CmechWarning(UserWarning):
    """Something the user should know about a result that is still meaningful: a history length
    too long for the amount of data, a state count that keeps growing with the history length, an
    alphabet of one symbol. The same texts are in :attr:`cmech.Diagnostics.warnings`."""
