"""Independent routes for the ELBO tests: densities written with scipy from a model's
parameters, expectations by Gauss–Hermite quadrature, the Gaussian KL by explicit inverse and
log-determinant (rtverify computes them through its own densities and Cholesky factors)."""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import stats as sps
from scipy.special import log_expit

from rtverify.elbo import GaussianQ
from rtverify.models import LinearGaussian, NormalNormal


def log_joint(model, x, z: np.ndarray) -> np.ndarray:
    """log p(x, z) for rows z, from scipy's densities and the model's parameters only."""
    if isinstance(model, NormalNormal):
        zs = z[:, 0]
        lik = sps.norm.logpdf(np.asarray(x)[None, :], zs[:, None], model.s).sum(axis=1)
        return sps.norm.logpdf(zs, model.m0, model.s0) + lik
    if isinstance(model, LinearGaussian):
        prior = sps.multivariate_normal(model.prior_mean, model.prior_cov).logpdf(z)
        mean = z @ model.W.T + model.b
        return prior + sps.norm.logpdf(x, mean, np.sqrt(model.psi)).sum(axis=1)
    a = z @ model.W.T + model.b  # Bernoulli decoder, prior N(0, I)
    lik = np.sum(np.where(x == 1, log_expit(a), log_expit(-a)), axis=1)
    return sps.multivariate_normal(np.zeros(z.shape[1]), np.eye(z.shape[1])).logpdf(z) + lik


def log_q(q: GaussianQ, z: np.ndarray) -> np.ndarray:
    return np.atleast_1d(sps.multivariate_normal(q.mu, q.chol @ q.chol.T).logpdf(z))


def elbo_by_quadrature(model, x, q: GaussianQ, nodes: int = 60) -> float:
    """E_q[log p(x, z) − log q(z)] by tensor Gauss–Hermite in ε (z = μ + Lε): exact for the
    Gaussian models (quadratic integrand), ~1e-12 for the smooth Bernoulli decoder."""
    t, w = np.polynomial.hermite_e.hermegauss(nodes)
    k = q.mu.size
    eps = np.array(list(itertools.product(t, repeat=k)))
    weights = np.prod(np.array(list(itertools.product(w, repeat=k))), axis=1)
    z = q.mu + np.einsum("ij,nj->ni", q.chol, eps)
    values = log_joint(model, x, z) - log_q(q, z)
    return float(weights @ values / math.sqrt(2 * math.pi) ** k)


def kl_reference(mu1, cov1, mu2, cov2) -> float:
    """KL(N₁ ‖ N₂) = ½[tr(Σ₂⁻¹Σ₁) + (μ₂ − μ₁)ᵀΣ₂⁻¹(μ₂ − μ₁) − k + ln det Σ₂ − ln det Σ₁] by
    explicit inverse and slogdet (rtverify.gaussian.kl_full goes through Cholesky factors)."""
    inv2, d = np.linalg.inv(cov2), np.asarray(mu2) - np.asarray(mu1)
    (_, ld1), (_, ld2) = np.linalg.slogdet(cov1), np.linalg.slogdet(cov2)
    return 0.5 * float(np.trace(inv2 @ cov1) + d @ inv2 @ d - len(d) + ld2 - ld1)
