"""Discovery of the derivations shipped in :mod:`rtverify.derivations`.

Each module of ``derivations/`` (installed as ``rtverify.derivations``) proves one identity and
exposes ``ORDER`` (an int fixing its place in tables and docs) and ``derivation() -> Derivation``.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from rtverify.derivation import Derivation

__all__ = ["all_derivations", "derivation_modules", "get_derivation"]


def derivation_modules() -> list[ModuleType]:
    """The derivation modules, in ``ORDER``."""
    try:
        package = importlib.import_module("rtverify.derivations")
    except ModuleNotFoundError as exc:  # running from a source tree that is not installed
        raise RuntimeError(
            "rtverify.derivations is missing: install the package (pip install .) so that "
            "derivations/ is mapped to rtverify.derivations"
        ) from exc
    modules = [
        importlib.import_module(f"rtverify.derivations.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    ]
    modules = [m for m in modules if hasattr(m, "derivation")]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 1000), m.__name__))


def all_derivations() -> list[Derivation]:
    """Build every shipped derivation (cheap: nothing is checked until ``verify``)."""
    return [module.derivation() for module in derivation_modules()]


def get_derivation(slug: str) -> Derivation:
    """The derivation with this slug; ``KeyError`` listing the known slugs otherwise."""
    found = {d.slug: d for d in all_derivations()}
    if slug not in found:
        raise KeyError(f"no derivation {slug!r}; known: {', '.join(found)}")
    return found[slug]
