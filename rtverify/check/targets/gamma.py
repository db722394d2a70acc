"""The ``gamma-rsample`` target: a Gamma(α, 1) sampler drawing its own noise (judged by
``_implicit_law``). References: P(α, z) (SciPy's regularized incomplete gamma function) and
dz/dα = −∂_αP(α, z)/p(z) (``rtverify.implicit``; derivation *implicit-reparameterization*),
per sample: torch, JAX and TFP all differentiate their Gamma implicitly, so a per-sample
gradient that is not the implicit one (finite differences through a rejection sampler) fails."""

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

__all__ = ["GAMMA", "TARGETS", "gamma_rsample"]


def _inputs(ctx: Context):
    return ctx.cast(log_uniform(ctx, "gamma alpha", (BATCH,)))


def _pit(lo, hi, params):
    (alpha,) = as_float64(params)
    return special.gammainc(alpha, lo), special.gammainc(alpha, hi)


GAMMA = Family(
    arg_names=("alpha",),
    inputs=_inputs,
    pit=_pit,
    implicit=lambda z, p: {"alpha": audit.gamma_reference(z, as_float64(p)[0])},
    mean_gradient=lambda p, w: {"alpha": (w, np.abs(w))},  # E[dz/dα] = dE[z]/dα = 1
    bounded=False,
    unbiased_fallback=False,  # every library differentiates its Gamma implicitly
)

gamma_rsample = implicit_target(
    "gamma-rsample",
    "a Gamma(α, 1) sampler drawing its own noise, differentiable in α",
    "alpha",
    "z, same shape as alpha (batch,)",
    "Gamma(α, 1): P(α, z); dz/dα = −∂_αP/p (rtverify.implicit)",
    GAMMA,
)

TARGETS = (gamma_rsample,)
