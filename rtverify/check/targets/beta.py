"""The ``beta-rsample`` target: a Beta(a, b) sampler drawing its own noise (judged by
``_implicit_law``). References: I_z(a, b) (SciPy's regularized incomplete beta function) and
dz/dθ = −∂_θI_z(a, b)/p(z) (``rtverify.implicit``); where the per-sample gradient is another
reparameterization's (normalised Gammas), unbiasedness paired with that field: E[∂z/∂θ | z] =
−∂_θI_z/p for every valid one (``_implicit_law``, rows with a, b ≥ 10; NOT JUDGED when the tests
decline). ``_mean_gradient`` (∂E[z]/∂a = b/(a + b)², ∂E[z]/∂b = −a/(a + b)²) is kept for the
Family but unused while the field exists."""

from __future__ import annotations

import numpy as np
from scipy import special

from rtverify import audit
from rtverify.check.target import Context
from rtverify.check.targets._implicit_law import (
    BATCH,
    Family,
    as_float64,
    implicit_target,
    log_uniform,
)

__all__ = ["BETA", "TARGETS", "beta_rsample"]


def _inputs(ctx: Context):
    return ctx.cast(log_uniform(ctx, "beta a", (BATCH,)), log_uniform(ctx, "beta b", (BATCH,)))


def _pit(lo, hi, params):
    a, b = as_float64(params)
    return special.betainc(a, b, lo), special.betainc(a, b, hi)


def _mean_gradient(params, w):
    a, b = as_float64(params)
    s2 = (a + b) ** 2
    return {"a": (w * b / s2, np.abs(w * b / s2)), "b": (-w * a / s2, np.abs(w * a / s2))}


BETA = Family(
    arg_names=("a", "b"),
    inputs=_inputs,
    pit=_pit,
    implicit=lambda z, p: audit.beta_reference(z, *as_float64(p)),
    mean_gradient=_mean_gradient,
    bounded=True,
)

beta_rsample = implicit_target(
    "beta-rsample",
    "a Beta(a, b) sampler drawing its own noise, differentiable in a and b",
    "a, b",
    "z, (batch,)",
    "Beta(a, b): I_z(a, b); dz/dθ = −∂_θI/p (rtverify.implicit)",
    BETA,
)

TARGETS = (beta_rsample,)
