"""The registry of check targets: one module per family, each listing its ``TARGETS``.

Adding a target: define it in its family's module (or a new module) and, for a new module, add
one line to ``_FAMILIES``.
"""

from __future__ import annotations

import functools
import importlib

from rtverify.check.target import Target

__all__ = ["get", "names", "targets"]

_FAMILIES = (
    "rtverify.check.targets.gaussian",
    "rtverify.check.targets.gradients",
    "rtverify.check.targets.autograd",
    "rtverify.check.targets.gamma",
    "rtverify.check.targets.beta",
    "rtverify.check.targets.dirichlet",
    "rtverify.check.targets.gumbel",
    "rtverify.check.targets.gaussian_pair",
    "rtverify.check.targets.mvn",
    "rtverify.check.targets.bernoulli",
    "rtverify.check.targets.bounds",
    "rtverify.check.targets.bound_gradients",
)


@functools.cache
def targets() -> dict[str, Target]:
    """Every target by name, in the order of the families."""
    out: dict[str, Target] = {}
    for module in _FAMILIES:
        for target in importlib.import_module(module).TARGETS:
            out[target.name] = target
    return out


def names() -> tuple[str, ...]:
    return tuple(targets())


def get(name: str) -> Target:
    """The target called ``name``; ``ValueError`` naming the choices if there is none."""
    found = targets().get(name)
    if found is None:
        raise ValueError(f"unknown target {name!r}; choose one of {', '.join(names())}")
    return found
