"""Batch-first ELBO and IWAE estimates for a diagonal-Gaussian encoder and a N(0, I) prior.

What VAE code computes per data point b, with q_b = N(μ_b, diag σ_b²), z = μ + σ ⊙ ε (notes
eq. (42)-(43)) and the variance parameter ``p`` named by ``param`` (see :mod:`rtverify.gaussian`):

- single-sample ELBO, analytic KL (notes eq. (19); Kingma & Welling 2014, eq. (10)):
  ``log p(x_b | z_b) − KL(q_b ‖ N(0, I))``;
- single-sample ELBO, Monte Carlo KL (notes eq. (18)): ``log p(x_b | z_b) + log N(z_b; 0, I)
  − log q_b(z_b)``, with ``log q(z) = log N(ε; 0, I) − Σ_d log σ_d`` (notes eq. (44)-(45));
- IWAE_K (Burda, Grosse & Salakhutdinov 2016, eq. (8)), ε of shape (K, batch, D):
  ``log (1/K) Σ_k w_k``, ``log w_k = log p(x_b, z_kb) − log q_b(z_kb)``, by log-sum-exp
  (:func:`log_mean_exp`; a naive ``log(mean(exp))`` overflows when log-weights reach ±1e3).

Both ELBO forms are unbiased for ELBO(q) = E_q[log p(x | z)] − KL(q ‖ p(z)) ≤ log p(x); the
IWAE estimate's mean L_K satisfies ELBO = L_1 ≤ L_K ≤ L_{K+1} ≤ log p(x) (Burda et al. 2016,
Theorem 1). Exact references on tractable models: :func:`rtverify.elbo.elbo_exact` and
``model.log_evidence`` (:mod:`rtverify.models`); :func:`batched` adapts a model of one data
point to these batch-first callables.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp

from rtverify.gaussian import Param, kl_standard_normal, logvar_from

__all__ = [
    "Array",
    "ZFunction",
    "batched",
    "diag_inputs",
    "elbo_estimate",
    "iwae_estimate",
    "log_mean_exp",
    "log_q_diag",
    "log_weights",
]

Array = NDArray[np.float64]
ZFunction = Callable[[Array], Array]
_LOG_2PI = math.log(2.0 * math.pi)


def log_mean_exp(log_w: ArrayLike, axis: int = 0) -> Array:
    """log (1/K) Σ_k exp(log w_k) over ``axis`` = max + log mean exp(log w − max) (exact to a
    few ulp for any finite log-weights; −∞ weights contribute 0)."""
    a = np.asarray(log_w, dtype=np.float64)
    if a.shape[axis] == 0:
        raise ValueError("log_mean_exp needs at least one weight")
    return logsumexp(a, axis=axis) - math.log(a.shape[axis])


def diag_inputs(
    mu: ArrayLike, p: ArrayLike, eps: ArrayLike, param: Param
) -> tuple[Array, Array, Array]:
    """(μ, log σ, ε) as float64 after checking μ, p are (batch, D), ε is (..., batch, D) and all
    are finite; ``ValueError`` with the shapes otherwise."""
    mu, eps = np.asarray(mu, dtype=np.float64), np.asarray(eps, dtype=np.float64)
    lv = np.broadcast_to(logvar_from(p, param), mu.shape)
    if mu.ndim != 2 or eps.shape[-2:] != mu.shape:
        raise ValueError(
            f"need mu and p of shape (batch, D) and eps of shape (..., batch, D); got mu "
            f"{mu.shape}, eps {eps.shape}"
        )
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(lv)) and np.all(np.isfinite(eps))):
        raise ValueError("mu, p and eps must be finite (and p valid for its param)")
    return mu, 0.5 * lv, eps


def log_q_diag(eps: ArrayLike, log_std: ArrayLike) -> Array:
    """log q(z) at z = μ + σ ⊙ ε by the change of variables (notes eq. (44)-(45)):
    ``−½ Σ_d (log 2π + ε_d²) − Σ_d log σ_d`` (summed over the last axis)."""
    eps = np.asarray(eps, dtype=np.float64)
    return -0.5 * np.sum(_LOG_2PI + eps * eps, axis=-1) - np.sum(log_std, axis=-1)


def _log_standard_normal(z: Array) -> Array:
    return -0.5 * np.sum(_LOG_2PI + z * z, axis=-1)


def _call(f: ZFunction, z: Array, name: str) -> Array:
    out = np.asarray(f(z), dtype=np.float64)
    if out.shape != z.shape[:-1]:
        raise ValueError(f"{name}(z) must return shape {z.shape[:-1]}, got {out.shape}")
    return out


def elbo_estimate(
    log_likelihood: ZFunction,
    mu: ArrayLike,
    p: ArrayLike,
    eps: ArrayLike,
    *,
    param: Param = "logvar",
    kl: str = "analytic",
) -> Array:
    """Single-sample ELBO estimate per data point, shape (batch,), prior N(0, I) (ε of shape
    (..., batch, D) gives one estimate per leading index: shape (..., batch)).

    ``kl="analytic"``: log p(x | z) − KL(q ‖ N(0, I)) (notes eq. (19));
    ``kl="mc"``: log p(x | z) + log N(z; 0, I) − log q(z) (notes eq. (18)); z = μ + σ ⊙ ε.
    ``log_likelihood`` maps z of shape (..., batch, D) to log p(x_b | z_b), shape (..., batch).
    """
    mu, log_std, eps = diag_inputs(mu, p, eps, param)
    z = mu + np.exp(log_std) * eps
    ll = _call(log_likelihood, z, "log_likelihood")
    if kl == "analytic":
        return ll - kl_standard_normal(mu, 2.0 * log_std)
    if kl == "mc":
        return ll + _log_standard_normal(z) - log_q_diag(eps, log_std)
    raise ValueError(f"kl must be 'analytic' or 'mc', not {kl!r}")


def log_weights(
    log_joint: ZFunction, mu: ArrayLike, p: ArrayLike, eps: ArrayLike, *, param: Param = "logvar"
) -> Array:
    """log w_k = log p(x_b, z_kb) − log q_b(z_kb), z = μ + σ ⊙ ε, for ε of shape (K, batch, D);
    returns (K, batch)."""
    mu, log_std, eps = diag_inputs(mu, p, eps, param)
    if eps.ndim != 3:
        raise ValueError(f"eps must have shape (K, batch, D), got {eps.shape}")
    z = mu + np.exp(log_std) * eps
    return _call(log_joint, z, "log_joint") - log_q_diag(eps, log_std)


def iwae_estimate(
    log_joint: ZFunction, mu: ArrayLike, p: ArrayLike, eps: ArrayLike, *, param: Param = "logvar"
) -> Array:
    """IWAE_K estimate log (1/K) Σ_k p(x_b, z_kb)/q_b(z_kb), shape (batch,) (Burda et al. 2016,
    eq. (8)); ε of shape (K, batch, D); K = 1 is the Monte Carlo-KL ELBO estimate."""
    return log_mean_exp(log_weights(log_joint, mu, p, eps, param=param), axis=0)


def batched(model, x: ArrayLike, what: str = "log_joint") -> ZFunction:
    """``z ↦ model.<what>(x_b, z[..., b, :])`` stacked over b: a batch-first callable
    (z of shape (..., batch, D) → (..., batch)) from a model of one data point
    (:mod:`rtverify.models`). ``what`` is ``log_joint``, ``log_likelihood`` or
    ``grad_log_joint`` (then the result has z's shape)."""
    x = np.asarray(x, dtype=np.float64)
    method = getattr(model, what)

    def f(z: Array) -> Array:
        z = np.asarray(z, dtype=np.float64)
        if z.ndim < 2 or z.shape[-2] != x.shape[0]:
            raise ValueError(f"z must have shape (..., {x.shape[0]}, D), got {z.shape}")
        axis = -2 if what == "grad_log_joint" else -1
        return np.stack([method(x[b], z[..., b, :]) for b in range(x.shape[0])], axis=axis)

    return f
