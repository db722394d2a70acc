"""Loading the implementation under check from an ``IMPL`` string.

``IMPL`` is ``package.module:function`` (imported from the current directory or ``sys.path``)
or ``path/to/file.py:function``; ``function`` may be a dotted attribute path
(``module:Class.method``). Every failure raises :class:`ImplLoadError` with one line saying
what to fix (``rtverify check`` exits 2 on it).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ImplLoadError", "ImplRef", "describe_impl", "load_impl", "reference_to", "split_spec"]


class ImplLoadError(ValueError):
    """IMPL cannot be loaded, or is not callable (exit code 2 of ``rtverify check``)."""


def split_spec(spec: str) -> tuple[str, str]:
    """Split ``module_or_file:attr``; the last colon separates (Windows drive letters allowed)."""
    if not isinstance(spec, str) or ":" not in spec:
        raise ImplLoadError(
            f"IMPL {spec!r} must be 'package.module:function' or 'path/to/file.py:function'"
        )
    where, _, attr = spec.rpartition(":")
    if not where or not attr:
        raise ImplLoadError(
            f"IMPL {spec!r} must be 'package.module:function' or 'path/to/file.py:function'"
        )
    return where, attr


def _import_file(path: Path) -> Any:
    if not path.is_file():
        raise ImplLoadError(f"cannot load IMPL: no file {str(path)!r}")
    name = f"_rtverify_impl_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImplLoadError(f"cannot load IMPL: {str(path)!r} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    parent = str(path.resolve().parent)
    if parent not in sys.path:
        sys.path.insert(0, parent)  # so the file can import its siblings
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _import_module(name: str) -> Any:
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)  # like `python -m`: modules of the current directory
    return importlib.import_module(name)


@dataclass(frozen=True)
class ImplRef:
    """A callable IMPL sent by reference to a fresh process: its pickle (by name), and the
    file and qualified name to load it from when its module cannot be imported by name
    (a script's ``__main__``, a test module imported by path)."""

    pickled: bytes | None
    file: str | None
    qualname: str
    description: str


def reference_to(fn: Callable[..., Any]) -> ImplRef:
    """How to find ``fn`` again in a fresh process; :class:`ImplLoadError` if there is no way."""
    qualname = getattr(fn, "__qualname__", "") or ""
    description = describe_impl(fn)
    try:
        pickled = pickle.dumps(fn)
    except Exception:
        pickled = None
    file = None
    module = sys.modules.get(getattr(fn, "__module__", None) or "")
    if module is not None and getattr(module, "__file__", None):
        file = os.path.abspath(module.__file__)
    if pickled is None and (file is None or "<" in qualname):
        raise ImplLoadError(
            f"IMPL {description} cannot be sent to the fresh process it is checked in "
            "(a lambda or a nested function): define it at module level, or pass "
            "'package.module:function'"
        )
    return ImplRef(pickled, file, qualname, description)


def _load_reference(ref: ImplRef) -> Callable[..., Any]:
    failure = ""
    if ref.pickled is not None:
        try:
            return pickle.loads(ref.pickled)
        except Exception as exc:
            failure = f"{type(exc).__name__}: {exc}"
    if ref.file is not None and "<" not in ref.qualname:
        return load_impl(f"{ref.file}:{ref.qualname}")
    raise ImplLoadError(f"cannot load IMPL {ref.description} in a fresh process ({failure})")


def load_impl(spec: str | ImplRef) -> Callable[..., Any]:
    """The callable named by ``spec``; :class:`ImplLoadError` if it cannot be had."""
    if isinstance(spec, ImplRef):
        return _load_reference(spec)
    where, attr = split_spec(spec)
    try:
        if where.endswith(".py") or os.sep in where or "/" in where:
            module = _import_file(Path(where))
        else:
            module = _import_module(where)
    except ImplLoadError:
        raise
    except ModuleNotFoundError as exc:
        raise ImplLoadError(
            f"cannot import {where!r} ({exc}); run from the directory that contains it, "
            "or give path/to/file.py:function"
        ) from None
    except ImportError as exc:
        if "relative import" in str(exc) and where.endswith(".py"):
            dotted = where.removesuffix(".py").replace(os.sep, ".").replace("/", ".")
            raise ImplLoadError(
                f"{where!r} uses relative imports, so it must be imported as part of its "
                f"package: give IMPL as '{dotted.strip('.')}:{attr}' from the directory above "
                "the package"
            ) from None
        raise ImplLoadError(f"importing {where!r} raised ImportError: {exc}") from None
    except SyntaxError as exc:
        raise ImplLoadError(
            f"cannot import {where!r}: syntax error at line {exc.lineno}: {exc.msg}"
        ) from None
    except BaseException as exc:  # the user's module ran and raised
        raise ImplLoadError(
            f"importing {where!r} raised {type(exc).__name__}: {exc}".rstrip(": ")
        ) from None
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ImplLoadError(f"{where!r} has no attribute {attr!r}") from None
    if not callable(obj):
        raise ImplLoadError(f"{spec!r} is a {type(obj).__name__}, not a function")
    return obj


def describe_impl(impl: object) -> str:
    """A short name of an implementation (its IMPL string or ``module:qualname``)."""
    if isinstance(impl, str):
        return impl
    if isinstance(impl, ImplRef):
        return impl.description
    module = getattr(impl, "__module__", None) or "?"
    name = getattr(impl, "__qualname__", None) or type(impl).__name__
    return f"{module}:{name}"
