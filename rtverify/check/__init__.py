"""``rtverify check``: validate other implementations against the reference.

Public API (loaded lazily, so that the pytest plugin stays cheap to import):
:func:`check` → :class:`Report`, :func:`assert_conforms`, :class:`CheckFailed`,
:class:`ImplLoadError`, :data:`TARGETS`.
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
    "TARGETS": "rtverify.check.targets",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'rtverify.check' has no attribute {name!r}")


def __dir__() -> list[str]:
    return list(__all__)
