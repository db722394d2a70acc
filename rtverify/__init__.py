"""rtverify: a verified reference implementation of the reparameterization trick.

The public API is small and explicit; names load lazily so that ``import rtverify`` (and the
pytest plugin) stay cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # derivation engine
    "Chain": "rtverify.derivation",
    "Derivation": "rtverify.derivation",
    "Status": "rtverify.derivation",
    "Step": "rtverify.derivation",
    "all_derivations": "rtverify.registry",
    # Gaussian closed forms
    "kl_standard_normal": "rtverify.gaussian",
    "kl_diag": "rtverify.gaussian",
    "kl_full": "rtverify.gaussian",
    "log_density_diag": "rtverify.gaussian",
    "log_density_full": "rtverify.gaussian",
    "entropy_diag": "rtverify.gaussian",
    "sample_diag": "rtverify.gaussian",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'rtverify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return list(__all__)
