"""Reference gradient estimators of the ELBO and the IWAE bound for a diagonal-Gaussian q.

Batch-first, per sample: q_b = N(μ_b, diag σ_b²), z = μ + σ ⊙ ε, the variance parameter ``p``
named by ``param`` (:mod:`rtverify.gaussian`); f(z) = log p(x, z) with gradient g = ∇_z f.
Gradients are returned in (μ, p) through ∂ log σ/∂p (:func:`dlog_std_dp`). With
h = ∇_z[log p(x, z) − log q(z)] = g + ε/σ (the score of q in z is −(z − μ)/σ² = −ε/σ):

- standard reparameterized ELBO gradient (Kingma & Welling 2014; notes eq. (46)), the total
  derivative of f(z(φ)) − log q_φ(z(φ)) with log q_φ(z(φ)) = log N(ε) − Σ log σ:
  ``∇_μ = g``, ``∇_{log σ} = g ⊙ σε + 1``;
- STL, "sticking the landing" (Roeder, Wu & Duvenaud 2017): drop the score term ∂_φ log q_φ(z)
  at fixed z, whose mean is 0 (so STL is unbiased): ``∇_μ = h``, ``∇_{log σ} = h ⊙ σε``. When q
  is the exact posterior, f − log q = log p(x) is constant in z, h ≡ 0 and STL has variance 0;
- IWAE (Burda et al. 2016), w̃_k = w_k / Σ_j w_j: ``Σ_k w̃_k ∇_φ log w_k`` (the standard form
  applied to each log w_k: the exact gradient of the estimate at fixed ε);
- DReG, doubly reparameterized (Tucker, Lawson, Gu & Maddison 2019, eq. (8)) for the encoder:
  ``Σ_k w̃_k² h_k ∂z_k/∂φ``, unbiased for ∇_φ L_K; for K = 1 it is STL;
- IWAE-STL ``Σ_k w̃_k h_k ∂z_k/∂φ`` is biased for K > 1 (Tucker et al. 2019, Sec. 3): provided to
  be told apart, not as a reference.

Exact means on the linear-Gaussian model (:func:`linear_gaussian_elbo_gradient`): with
posterior N(m, P⁻¹), ∇_μ ELBO = P(m − μ), ∇_{log σ_d} ELBO = 1 − P_dd σ_d².
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.linalg import solve_triangular
from scipy.special import softmax

from rtverify.bounds import Array, ZFunction, diag_inputs, log_q_diag
from rtverify.gaussian import Param, logvar_from

__all__ = [
    "ELBO_FORMS",
    "IWAE_FORMS",
    "dlog_std_dp",
    "elbo_gradient_samples",
    "iwae_gradient_samples",
    "linear_gaussian_elbo_gradient",
    "stl_gradient_full",
]

ELBO_FORMS = ("standard", "stl")
IWAE_FORMS = ("standard", "dreg", "stl")


def dlog_std_dp(p: ArrayLike, param: Param = "logvar") -> Array:
    """∂ log σ / ∂p: ½ (logvar), 1 (log_std), 1/p (std), 1/(2p) (var)."""
    p = np.asarray(p, dtype=np.float64)
    factor = {"logvar": 0.5, "log_std": 1.0, "std": 1.0, "var": 0.5}
    if param not in factor:
        raise ValueError(f"param must be one of {tuple(factor)}, not {param!r}")
    if param in ("std", "var"):
        return factor[param] / p
    return np.full_like(p, factor[param])


def _setup(mu, p, eps, param):
    mu, log_std, eps = diag_inputs(mu, p, eps, param)
    p = np.broadcast_to(np.asarray(p, dtype=np.float64), mu.shape)
    return mu, p, eps, log_std, np.exp(log_std)


def _grad(grad_log_joint: ZFunction, z: Array) -> Array:
    g = np.asarray(grad_log_joint(z), dtype=np.float64)
    if g.shape != z.shape:
        raise ValueError(f"grad_log_joint(z) must return z's shape {z.shape}, got {g.shape}")
    return g


def elbo_gradient_samples(
    grad_log_joint: ZFunction,
    mu: ArrayLike,
    p: ArrayLike,
    eps: ArrayLike,
    *,
    param: Param = "logvar",
    form: str = "standard",
) -> tuple[Array, Array]:
    """Per-sample ELBO gradients (∇_μ, ∇_p), each of eps's shape (..., batch, D).

    standard: ∇_μ = g, ∇_{log σ} = g ⊙ σε + 1; stl: ∇_μ = h, ∇_{log σ} = h ⊙ σε, with
    g = ∇_z log p(x, z), h = g + ε/σ at z = μ + σ ⊙ ε; ∇_p = ∇_{log σ} · ∂ log σ/∂p.
    """
    mu, p, eps, _, std = _setup(mu, p, eps, param)
    g = _grad(grad_log_joint, mu + std * eps)
    if form == "standard":
        g_mu, g_log_std = g, g * std * eps + 1.0
    elif form == "stl":
        h = g + eps / std
        g_mu, g_log_std = h, h * std * eps
    else:
        raise ValueError(f"form must be one of {ELBO_FORMS}, not {form!r}")
    return g_mu, g_log_std * dlog_std_dp(p, param)


def iwae_gradient_samples(
    log_joint: ZFunction,
    grad_log_joint: ZFunction,
    mu: ArrayLike,
    p: ArrayLike,
    eps: ArrayLike,
    *,
    param: Param = "logvar",
    form: str = "standard",
) -> tuple[Array, Array]:
    """Per-replicate IWAE_K gradients (∇_μ, ∇_p) from ε of shape (K, ..., batch, D); each
    result has shape (..., batch, D).

    standard: Σ_k w̃_k (g_k, g_k ⊙ σε_k + 1); dreg: Σ_k w̃_k² (h_k, h_k ⊙ σε_k);
    stl: Σ_k w̃_k (h_k, h_k ⊙ σε_k) (biased for K > 1); w̃ = softmax_k(log w_k).
    """
    mu, p, eps, log_std, std = _setup(mu, p, eps, param)
    if eps.ndim < 3:
        raise ValueError(f"eps must have shape (K, ..., batch, D), got {eps.shape}")
    z = mu + std * eps
    log_w = np.asarray(log_joint(z), dtype=np.float64) - log_q_diag(eps, log_std)
    if log_w.shape != z.shape[:-1]:
        raise ValueError(f"log_joint(z) must return shape {z.shape[:-1]}, got {log_w.shape}")
    w = softmax(log_w, axis=0)[..., None]
    g = _grad(grad_log_joint, z)
    if form == "standard":
        g_mu, g_log_std = np.sum(w * g, axis=0), np.sum(w * (g * std * eps + 1.0), axis=0)
    elif form in ("dreg", "stl"):
        h = g + eps / std
        weight = w * w if form == "dreg" else w
        g_mu, g_log_std = np.sum(weight * h, axis=0), np.sum(weight * h * std * eps, axis=0)
    else:
        raise ValueError(f"form must be one of {IWAE_FORMS}, not {form!r}")
    return g_mu, g_log_std * dlog_std_dp(p, param)


def linear_gaussian_elbo_gradient(
    model, x: ArrayLike, mu: ArrayLike, p: ArrayLike, *, param: Param = "logvar"
) -> tuple[Array, Array]:
    """Exact ∇ ELBO in (μ, p) for q_b = N(μ_b, diag σ_b²) on a
    :class:`rtverify.models.LinearGaussian` (any prior N(m₀, S₀)), batch-first.

    ELBO(q) = log p(x) − KL(q ‖ N(m, P⁻¹)) with posterior precision P = S₀⁻¹ + WᵀΨ⁻¹W, so
    ∇_μ = P(m − μ), ∇_{log σ_d} = 1 − P_dd σ_d², ∇_p = ∇_{log σ} ∂ log σ/∂p.
    """
    x = np.asarray(x, dtype=np.float64)
    mu = np.asarray(mu, dtype=np.float64)
    p = np.broadcast_to(np.asarray(p, dtype=np.float64), mu.shape)
    if x.ndim != 2 or mu.ndim != 2 or x.shape[0] != mu.shape[0]:
        raise ValueError(f"need x (batch, D_x) and mu (batch, K); got {x.shape}, {mu.shape}")
    precision = np.linalg.inv(model.prior_cov) + (model.W.T / model.psi) @ model.W
    means = np.stack([model.posterior(xb)[0] for xb in x])
    var = np.exp(logvar_from(p, param))
    g_log_std = 1.0 - np.diag(precision) * var
    return (means - mu) @ precision.T, g_log_std * dlog_std_dp(p, param)


def stl_gradient_full(model, x: ArrayLike, q, eps: ArrayLike) -> tuple[Array, Array]:
    """STL for a full-covariance q = N(μ, LLᵀ) (:class:`rtverify.elbo.GaussianQ`), one data
    point, ε of shape (n, K): h = ∇_z log p(x, z) − ∇_z log q(z) = g + L⁻ᵀε at z = μ + Lε;
    ∇_μ = h, ∇_L = tril(h εᵀ). Compare :func:`rtverify.elbo.aevb_gradient_samples` (standard:
    tril(g εᵀ) + diag(1/Lᵢᵢ)). Returns (n, K) and (n, K, K)."""
    eps = np.asarray(eps, dtype=np.float64)
    if eps.ndim != 2 or eps.shape[1] != q.mu.size:
        raise ValueError(f"eps must have shape (n, {q.mu.size}), got {eps.shape}")
    g = model.grad_log_joint(x, q.sample(eps))
    h = g + solve_triangular(q.chol, eps.T, lower=True, trans="T").T
    return h, np.tril(h[:, :, None] * eps[:, None, :])
