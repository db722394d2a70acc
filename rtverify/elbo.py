"""The ELBO, the IWAE bound and the AEVB gradient estimator, for the models of
:mod:`rtverify.models`.

Variational family: q(z) = N(μ, LLᵀ) with L lower triangular, positive diagonal — the
full-covariance Gaussian of notes footnote 4 (the factorized case is L = diag σ, eq. (13)).
Sampling is the reparameterization z = g_φ(ε) = μ + Lε, ε ∼ N(0, I) (eq. (42)-(43)), and
log q(z) = log N(ε; 0, I) − Σ_i log L_ii (change of variables, eq. (44)-(45)).

Bounds (for any q; equality iff q = p(z | x), resp. as k → ∞):

- ELBO (eq. (9), (18)): E_q[log p(x, z) − log q(z)] = log p(x) − KL(q ‖ p(z | x));
- eq. (19): E_q[log p(x | z)] − KL(q ‖ p(z)), with the KL in closed form (rtverify.gaussian);
- IWAE (Burda, Grosse & Salakhutdinov 2016, eq. (8)): L_k = E[log (1/k) Σ_i p(x, z_i)/q(z_i)],
  ELBO = L₁ ≤ L_k ≤ L_{k+1} ≤ log p(x);
- conditional ELBO (eq. (47)): E_q[log p(x | z, c)] − KL(q ‖ p(z | c)) ≤ log p(x | c).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rtverify.bounds import log_mean_exp
from rtverify.gaussian import kl_full, log_density_full, logvar_from

__all__ = [
    "GaussianQ",
    "aevb_gradient",
    "aevb_gradient_samples",
    "categorical_elbo",
    "conditional_elbo",
    "elbo_exact",
    "elbo_kl_samples",
    "elbo_samples",
    "iwae_samples",
]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class GaussianQ:
    """q = N(μ, LLᵀ): ``mu`` of shape (K,), ``chol`` lower triangular (K, K), diagonal > 0."""

    mu: Array
    chol: Array

    def __post_init__(self) -> None:
        mu, chol = np.asarray(self.mu, float), np.asarray(self.chol, float)
        if mu.ndim != 1 or chol.shape != (mu.size, mu.size):
            raise ValueError(f"need mu of shape (K,) and chol (K, K); got {mu.shape}, {chol.shape}")
        if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(chol))):
            raise ValueError("mu and chol must be finite")
        if np.any(np.triu(chol, 1) != 0) or np.any(np.diag(chol) <= 0):
            raise ValueError("chol must be lower triangular with a positive diagonal")
        object.__setattr__(self, "mu", mu)
        object.__setattr__(self, "chol", chol)

    @classmethod
    def diag(cls, mu: ArrayLike, p: ArrayLike, param: str = "logvar") -> GaussianQ:
        """The factorized q = N(μ, diag σ²) (notes eq. (13)); σ² from ``p`` as in gaussian."""
        mu = np.atleast_1d(np.asarray(mu, float))
        return cls(mu, np.diag(np.exp(0.5 * logvar_from(np.atleast_1d(p), param))))

    @classmethod
    def from_cov(cls, mu: ArrayLike, cov: ArrayLike) -> GaussianQ:
        """q = N(μ, Σ) through the Cholesky factor of Σ."""
        try:
            return cls(np.atleast_1d(np.asarray(mu, float)), np.linalg.cholesky(cov))
        except np.linalg.LinAlgError as exc:
            raise ValueError("cov must be symmetric positive definite") from exc

    @property
    def cov(self) -> Array:
        return self.chol @ self.chol.T

    def sample(self, eps: ArrayLike) -> Array:
        """z = μ + Lε for ε of shape (..., K) (notes eq. (42), footnote 4)."""
        eps = np.asarray(eps, float)
        if eps.shape[-1:] != self.mu.shape:
            raise ValueError(f"eps must have last axis {self.mu.size}, got shape {eps.shape}")
        return self.mu + eps @ self.chol.T

    def log_density(self, z: ArrayLike) -> Array:
        """log q(z) = log N(L⁻¹(z − μ); 0, I) − Σ log L_ii (notes eq. (44))."""
        return log_density_full(z, self.mu, self.chol)

    def kl(self, mean: ArrayLike, cov: ArrayLike) -> float:
        """KL(q ‖ N(mean, cov)) in closed form (rtverify.gaussian.kl_full)."""
        return float(kl_full(self.mu, self.cov, mean, cov))

    def kl_standard_normal(self) -> float:
        """KL(q ‖ N(0, I)) = ½[‖L‖²_F + ‖μ‖² − K − 2 Σ log L_ii]."""
        return self.kl(np.zeros_like(self.mu), np.eye(self.mu.size))


def _eps(eps: ArrayLike, q: GaussianQ, ndim: int) -> Array:
    e = np.asarray(eps, float)
    if e.ndim != ndim or e.shape[-1] != q.mu.size:
        raise ValueError(
            f"eps must have {ndim} axes, the last of size {q.mu.size}; got shape {e.shape}"
        )
    return e


def elbo_samples(model, x: ArrayLike, q: GaussianQ, eps: ArrayLike) -> Array:
    """log p(x, z) − log q(z) at z = μ + Lε for each row of ``eps`` (n, K): the Monte Carlo
    terms of the ELBO, notes eq. (9)/(18)."""
    z = q.sample(_eps(eps, q, 2))
    return model.log_joint(x, z) - q.log_density(z)


def elbo_kl_samples(model, x: ArrayLike, q: GaussianQ, eps: ArrayLike) -> Array:
    """log p(x | z) − KL(q ‖ p(z)) at z = μ + Lε: the terms of notes eq. (19) (closed-form
    KL for the Gaussian prior N(m₀, S₀), estimated reconstruction term)."""
    z = q.sample(_eps(eps, q, 2))
    return model.log_likelihood(x, z) - q.kl(model.prior_mean, model.prior_cov)


def elbo_exact(model, x: ArrayLike, q: GaussianQ) -> float:
    """ELBO = E_q[log p(x | z)] − KL(q ‖ p(z)) with both terms in closed form (or quadrature):
    notes eq. (19) for a model exposing ``expected_log_likelihood``."""
    return model.expected_log_likelihood(x, q.mu, q.chol) - q.kl(model.prior_mean, model.prior_cov)


def conditional_elbo(model, x: ArrayLike, c: ArrayLike, q: GaussianQ) -> float:
    """Notes eq. (47): E_q[log p(x | z, c)] − KL(q(z | x, c) ‖ p(z | c)), exact, for a
    :class:`rtverify.models.ConditionalLinearGaussian` (q is the q(z | x, c) of the data
    point; eq. (47) writes q(z | x) under the expectation — the same q)."""
    return elbo_exact(model.given(c), x, q)


def iwae_samples(model, x: ArrayLike, q: GaussianQ, eps: ArrayLike) -> Array:
    """log (1/k) Σ_i w_i, w_i = p(x, z_i)/q(z_i), for each of n replicates: ``eps`` has shape
    (n, k, K). Its mean estimates L_k (Burda et al. 2016, eq. (8)); logsumexp keeps it stable.
    """
    e = _eps(eps, q, 3)
    log_w = elbo_samples(model, x, q, e.reshape(-1, e.shape[-1])).reshape(e.shape[:2])
    return log_mean_exp(log_w, axis=1)


def aevb_gradient_samples(model, x: ArrayLike, q: GaussianQ, eps: ArrayLike) -> tuple[Array, Array]:
    """Per-sample AEVB gradients (notes eq. (46)) of the ELBO w.r.t. φ = (μ, L).

    With f(z) = log p(x, z), z = g_φ(ε) = μ + Lε and log q(g_φ(ε)) = log N(ε) − Σ log L_ii:
    ∇_μ = ∇_z f(z),  ∇_{L_ij} = [∇_z f(z)]_i ε_j + δ_ij / L_ii  (i ≥ j).
    Returns (g_mu of shape (n, K), g_chol of shape (n, K, K), zero above the diagonal).
    """
    e = _eps(eps, q, 2)
    g = model.grad_log_joint(x, q.sample(e))
    g_chol = np.tril(g[:, :, None] * e[:, None, :]) + np.diag(1.0 / np.diag(q.chol))
    return g, g_chol


def aevb_gradient(model, x: ArrayLike, q: GaussianQ, eps: ArrayLike) -> tuple[Array, Array]:
    """The AEVB estimator with L = len(eps) samples: the mean of :func:`aevb_gradient_samples`
    (notes eq. (46) and the display after it)."""
    g_mu, g_chol = aevb_gradient_samples(model, x, q, eps)
    return g_mu.mean(axis=0), g_chol.mean(axis=0)


def categorical_elbo(model, x: ArrayLike, r: ArrayLike) -> float:
    """Σ_z r(z) [log p(x, z) − log r(z)] for a discrete-latent model and a distribution r over
    its latent values (terms with r(z) = 0 contribute 0): exact, by summation (eq. (9))."""
    table = model.log_joint_table(x)
    r = np.asarray(r, float)
    if r.shape != table.shape or np.any(r < 0) or abs(r.sum() - 1.0) > 1e-9:
        raise ValueError(f"r must be a probability vector of length {table.size}")
    pos = r > 0
    return float(np.sum(r[pos] * (table[pos] - np.log(r[pos]))))
