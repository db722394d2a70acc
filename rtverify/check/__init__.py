"""``rtverify check``: validate other implementations against the reference.

Public API (loaded lazily, so that the pytest plugin stays cheap to import):
:func:`check` → :class:`Report`, :func:`assert_conforms`, :class:`CheckFailed`,
:class:`ImplLoadError`, :data:`TARGETS` (the target names).

Architecture (each layer knows only the one below it):

- **targets** (``targets/<family>.py``, registered in ``targets/__init__.py``): a
  :class:`~rtverify.check.target.Target` is one object — its signature per framework, its
  options, its reference, its properties and how they are judged (``run(ctx)``). Shared
  judging engines: ``targets/_closed_form.py`` (deterministic targets: reference within
  rounding, gradients by autograd) and ``targets/_sampler_law.py`` (samplers drawing their
  own noise). The corpus of real implementations is ``tests/check_corpus/``.
- **frameworks are adapters** (``adapters/{numpy,torch,jax}_adapter.py``): array conversion,
  dtype, where the seeded noise goes, autograd. Only the worker imports them.
- **the core** names no target and no framework: ``core.py`` (options, run a target, budget),
  ``sandbox.py`` + ``worker.py`` (IMPL in a fresh process, per-call timeouts, nothing left
  running), ``judge.py`` (the API's checks run where IMPL's import cannot touch the reference),
  ``calls.py`` (what is asked of IMPL), ``statistics.py`` (calibrated tests), ``report.py``,
  ``cli.py``.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "check": "rtverify.check.api",
    "assert_conforms": "rtverify.check.api",
    "Report": "rtverify.check.report",
    "CheckFailed": "rtverify.check.report",
    "ImplLoadError": "rtverify.check.loading",
}

__all__ = sorted([*_EXPORTS, "TARGETS"])


def __getattr__(name: str) -> Any:
    if name == "TARGETS":
        from rtverify.check import targets

        return targets.names()
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'rtverify.check' has no attribute {name!r}")


def __dir__() -> list[str]:
    return list(__all__)
