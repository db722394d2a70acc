"""The ``dirichlet-rsample`` target: a Dirichlet(α) sampler (K = 3) drawing its own noise
(judged by ``_implicit_law``). The law through the Rosenblatt transform (Beta marginal of x₀,
Beta conditional of x₁/(1 − x₀)). The per-sample gradient depends on the reparameterization
chosen (Beta-marginal field, normalised Gammas: derivation *implicit-multivariate*), so it is
judged for unbiasedness only: E[Σ_j w_j ∂x_j/∂α_i] = (w_i α₀ − Σ_j w_j α_j)/α₀²."""

from __future__ import annotations

import numpy as np
from scipy import special

from rtverify.check.target import Context
from rtverify.check.targets._implicit_law import (
    BATCH,
    Family,
    as_float64,
    implicit_target,
    log_uniform,
)

__all__ = ["DIRICHLET", "TARGETS", "K", "dirichlet_rsample"]

K = 3


def _dirichlet_inputs(ctx: Context):
    return ctx.cast(log_uniform(ctx, "dirichlet alpha", (BATCH, K), 1e-2, 1e4))


def _dirichlet_pit(lo, hi, p):
    """Rosenblatt: u₀ = I_{x₀}(α₀', α₁ + α₂) and u₁ = I_{x₁/(1 − x₀)}(α₁, α₂), independent
    U(0, 1) under Dir(α) (stick-breaking)."""
    (alpha,) = as_float64(p)
    rest = alpha[:, 1] + alpha[:, 2]
    u0 = (
        special.betainc(alpha[:, 0], rest, lo[:, 0]),
        special.betainc(alpha[:, 0], rest, hi[:, 0]),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        r_lo = np.clip(lo[:, 1] / (1 - lo[:, 0]), 0, 1)
        r_hi = np.clip(hi[:, 1] / (1 - hi[:, 0]), 0, 1)
    u1 = (
        special.betainc(alpha[:, 1], alpha[:, 2], np.minimum(r_lo, r_hi)),
        special.betainc(alpha[:, 1], alpha[:, 2], np.maximum(r_lo, r_hi)),
    )
    return np.stack([u0[0], u1[0]], -1), np.stack([u0[1], u1[1]], -1)


def _dirichlet_mean_gradient(p, w):
    (alpha,) = as_float64(p)
    a0 = alpha.sum(-1, keepdims=True)
    want = (w * a0 - (w * alpha).sum(-1, keepdims=True)) / a0**2
    scale = (np.abs(w) * a0 + (np.abs(w) * alpha).sum(-1, keepdims=True)) / a0**2
    return {"alpha": (want, scale)}


DIRICHLET = Family(
    arg_names=("alpha",),
    inputs=_dirichlet_inputs,
    pit=_dirichlet_pit,
    implicit=None,
    mean_gradient=_dirichlet_mean_gradient,
    bounded=True,
)


dirichlet_rsample = implicit_target(
    "dirichlet-rsample",
    "a Dirichlet(α) sampler drawing its own noise, differentiable in α",
    "alpha",
    "x, (batch, K) on the simplex",
    "Dir(α): Beta marginal and stick-breaking conditional CDFs; unbiased gradient",
    DIRICHLET,
)

TARGETS = (dirichlet_rsample,)
