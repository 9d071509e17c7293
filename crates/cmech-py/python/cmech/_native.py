"""The native module, with every Rust panic raised as a :class:`~cmech.CmechError`.

pyo3 turns a panic into ``pyo3_runtime.PanicException``, which derives from ``BaseException``: an
``except Exception`` (or ``except CmechError``) does not catch it. The panic policy of issue 23 is
that no panic reaches a user as such, so here, in one place, every function of ``cmech._cmech``, and
every method and static method of its classes, is wrapped to raise a ``CmechError`` saying it
is a bug instead. Properties, constructors and other special methods are left as they are: they
read what a computation made or rebuild a result from its document, and a constructor wrapped
in Python cannot be called by pickle (``X.__new__(X)`` is refused as unsafe). Imported first by the package, before anything
takes a function from the native module.
"""

from __future__ import annotations

import functools
import types
from typing import Any, Callable

from . import _cmech
from ._errors import CmechError


def _is_panic(e: BaseException) -> bool:
    return type(e).__name__ == "PanicException" and type(e).__module__ == "pyo3_runtime"


def _guarded(call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except BaseException as e:
            if not _is_panic(e):
                raise
            raise CmechError(f"internal error: {e}; this is a bug in cmech, please report it") from e

    return guarded


def _guard_class(cls: type) -> None:
    for name, member in list(vars(cls).items()):
        if isinstance(member, staticmethod):
            setattr(cls, name, staticmethod(_guarded(getattr(cls, name))))
        elif isinstance(member, types.MethodDescriptorType) and not name.startswith("__"):
            setattr(cls, name, _guarded(member))


for _name, _obj in list(vars(_cmech).items()):
    if isinstance(_obj, types.BuiltinFunctionType):
        setattr(_cmech, _name, _guarded(_obj))
    elif isinstance(_obj, type) and not issubclass(_obj, BaseException):
        _guard_class(_obj)
