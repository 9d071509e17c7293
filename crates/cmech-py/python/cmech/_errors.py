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
    "CmechIOError",
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


class UnsupportedError(CmechError):
    """The computation needs a property the presentation lacks (for example unifilarity, or a single
    recurrent class)."""


class CmechIOError(CmechError, OSError):
    """Reading or writing a file failed."""
