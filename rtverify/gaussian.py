"""Gaussian closed forms in NumPy: KL divergences, log-densities, entropies, the sampler.

The one home of these formulas in NumPy. Their symbolic proofs are in ``derivations/``
(``gaussian_kl``, ``log_det_jacobian``); tests compare both routes, and mpmath at 50 digits.

Conventions: arrays broadcast; the event (latent) dimension is the last axis, which KLs and
log-densities sum over. Variances are given by a parameter ``p`` named by ``param``:

=========  =================  ==========================
param      p                  σ²
=========  =================  ==========================
logvar     log σ²             exp(p)
log_std    log σ              exp(2p)
std        σ                  p²
var        σ²                 p
=========  =================  ==========================

Numerical stability: KL(N(μ, σ²) ‖ N(0, 1)) = ½(μ² + σ² − 1 − log σ²) is written as
½(μ² + φ(log σ²)) with φ(x) = eˣ − 1 − x ≥ 0 evaluated by a Taylor series near 0, so every term
is non-negative and nothing cancels: relative error ≲ 1e-15 over logvar ∈ [−30, 30] and
|μ| ≤ 1e3, where the naive formula loses up to all digits at small |logvar|.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "PARAMETERIZATIONS",
    "Param",
    "entropy_diag",
    "expected_log_prior_diag",
    "expected_log_q_diag",
    "expm1mx",
    "kl_diag",
    "kl_full",
    "kl_standard_normal",
    "log_density_diag",
    "log_density_full",
    "logvar_from",
    "param_from_logvar",
    "sample_diag",
    "std_from",
]

Param = Literal["logvar", "log_std", "std", "var"]
PARAMETERIZATIONS: tuple[str, ...] = ("logvar", "log_std", "std", "var")
_LOG_2PI = math.log(2.0 * math.pi)

# φ(x) = Σ_{k≥2} x^k / k!, Horner coefficients for |x| < 1/2 (the k = 21 term is < 1e-25).
_SERIES = tuple(1.0 / math.factorial(k) for k in range(2, 22))
_SERIES_RADIUS = 0.5


def _array(x: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(x, dtype=np.float64)


def expm1mx(x: ArrayLike) -> NDArray[np.float64]:
    """φ(x) = eˣ − 1 − x, accurate to a few ulp for every finite x (φ ≥ 0, φ(x) ~ x²/2 at 0)."""
    x = _array(x)
    small = np.abs(x) < _SERIES_RADIUS
    xs = np.where(small, x, 0.0)
    acc = np.full_like(xs, _SERIES[-1])
    for c in reversed(_SERIES[:-1]):
        acc = acc * xs + c
    with np.errstate(over="ignore"):
        direct = np.expm1(x) - x
    return np.where(small, acc * xs * xs, direct)


def logvar_from(p: ArrayLike, param: Param = "logvar") -> NDArray[np.float64]:
    """log σ² from the variance parameter ``p`` named by ``param``."""
    p = _array(p)
    if param == "logvar":
        return p
    if param == "log_std":
        return 2.0 * p
    if param == "std":
        return 2.0 * np.log(p)
    if param == "var":
        return np.log(p)
    raise ValueError(f"param must be one of {PARAMETERIZATIONS}, not {param!r}")


def std_from(p: ArrayLike, param: Param = "logvar") -> NDArray[np.float64]:
    """σ from the variance parameter ``p`` named by ``param``."""
    p = _array(p)
    if param == "logvar":
        return np.exp(0.5 * p)
    if param == "log_std":
        return np.exp(p)
    if param == "std":
        return p
    if param == "var":
        return np.sqrt(p)
    raise ValueError(f"param must be one of {PARAMETERIZATIONS}, not {param!r}")


def param_from_logvar(lv: ArrayLike, param: Param = "logvar") -> NDArray[np.float64]:
    """The variance parameter named by ``param`` for a given log σ² (inverse of logvar_from)."""
    lv = _array(lv)
    if param == "logvar":
        return lv
    if param == "log_std":
        return lv / 2
    if param == "std":
        return np.exp(lv / 2)
    if param == "var":
        return np.exp(lv)
    raise ValueError(f"param must be one of {PARAMETERIZATIONS}, not {param!r}")


def kl_standard_normal(mu: ArrayLike, p: ArrayLike, param: Param = "logvar") -> NDArray[np.float64]:
    """KL(N(μ, diag σ²) ‖ N(0, I)), summed over the last axis.

    .. math:: \\mathrm{KL} = \\tfrac12 \\sum_d (\\mu_d^2 + \\sigma_d^2 - 1 - \\log\\sigma_d^2)

    Kingma & Welling (2014), Appendix B; proved in ``docs/derivations/gaussian-kl.md``.
    """
    mu, lv = _array(mu), logvar_from(p, param)
    return 0.5 * np.sum(mu * mu + expm1mx(lv), axis=-1)


def kl_diag(
    mu1: ArrayLike, logvar1: ArrayLike, mu2: ArrayLike, logvar2: ArrayLike
) -> NDArray[np.float64]:
    """KL(N(μ₁, diag σ₁²) ‖ N(μ₂, diag σ₂²)), summed over the last axis.

    .. math:: \\tfrac12 \\sum_d \\Big(\\frac{\\sigma_{1d}^2}{\\sigma_{2d}^2}
        + \\frac{(\\mu_{1d}-\\mu_{2d})^2}{\\sigma_{2d}^2} - 1
        - \\log\\frac{\\sigma_{1d}^2}{\\sigma_{2d}^2}\\Big)

    written as ½ Σ [φ(log σ₁² − log σ₂²) + (μ₁ − μ₂)² e^{−log σ₂²}] (no cancellation).
    """
    mu1, mu2 = _array(mu1), _array(mu2)
    lv1, lv2 = _array(logvar1), _array(logvar2)
    d = mu1 - mu2
    return 0.5 * np.sum(expm1mx(lv1 - lv2) + d * d * np.exp(-lv2), axis=-1)


def kl_full(
    mu1: ArrayLike, cov1: ArrayLike, mu2: ArrayLike, cov2: ArrayLike
) -> NDArray[np.float64]:
    """KL(N(μ₁, Σ₁) ‖ N(μ₂, Σ₂)) for full covariances (batched over leading axes).

    .. math:: \\tfrac12\\big[\\mathrm{tr}(\\Sigma_2^{-1}\\Sigma_1)
        + (\\mu_2-\\mu_1)^\\top\\Sigma_2^{-1}(\\mu_2-\\mu_1) - k
        + \\ln\\det\\Sigma_2 - \\ln\\det\\Sigma_1\\big]

    Computed through Cholesky factors: tr(Σ₂⁻¹Σ₁) = ‖L₂⁻¹L₁‖²_F, log det Σ = 2 Σ log Lᵢᵢ.
    """
    mu1, mu2 = _array(mu1), _array(mu2)
    l1, l2 = np.linalg.cholesky(_array(cov1)), np.linalg.cholesky(_array(cov2))
    k = mu1.shape[-1]
    m = np.linalg.solve(l2, l1)
    y = np.linalg.solve(l2, (mu2 - mu1)[..., None])[..., 0]
    logdet1 = 2.0 * np.sum(np.log(np.diagonal(l1, axis1=-2, axis2=-1)), axis=-1)
    logdet2 = 2.0 * np.sum(np.log(np.diagonal(l2, axis1=-2, axis2=-1)), axis=-1)
    trace = np.sum(m * m, axis=(-2, -1))
    return 0.5 * (trace + np.sum(y * y, axis=-1) - k + logdet2 - logdet1)


def log_density_diag(z: ArrayLike, mu: ArrayLike, logvar: ArrayLike) -> NDArray[np.float64]:
    """log N(z; μ, diag σ²), summed over the last axis.

    .. math:: -\\tfrac12 \\sum_d \\big(\\log 2\\pi + \\log\\sigma_d^2
        + (z_d-\\mu_d)^2/\\sigma_d^2\\big)
    """
    z, mu, lv = _array(z), _array(mu), _array(logvar)
    r = z - mu
    return -0.5 * np.sum(_LOG_2PI + lv + r * r * np.exp(-lv), axis=-1)


def log_density_full(z: ArrayLike, mu: ArrayLike, chol: ArrayLike) -> NDArray[np.float64]:
    """log N(z; μ, LLᵀ) through the change of variables z = μ + Lε (notes eq. 44):

    .. math:: \\log q(z) = \\log \\mathcal N(\\varepsilon; 0, I) - \\sum_i \\log|L_{ii}|,
        \\qquad \\varepsilon = L^{-1}(z-\\mu)
    """
    z, mu, chol = _array(z), _array(mu), _array(chol)
    eps = np.linalg.solve(chol, (z - mu)[..., None])[..., 0]
    logdet = np.sum(np.log(np.abs(np.diagonal(chol, axis1=-2, axis2=-1))), axis=-1)
    k = z.shape[-1]
    return -0.5 * (k * _LOG_2PI + np.sum(eps * eps, axis=-1)) - logdet


def entropy_diag(logvar: ArrayLike) -> NDArray[np.float64]:
    """Differential entropy of N(μ, diag σ²): ½ Σ_d (1 + log 2π + log σ_d²)."""
    lv = _array(logvar)
    return 0.5 * np.sum(1.0 + _LOG_2PI + lv, axis=-1)


def expected_log_prior_diag(mu: ArrayLike, logvar: ArrayLike) -> NDArray[np.float64]:
    """E_{N(μ, diag σ²)}[log N(z; 0, I)] = −(D/2) log 2π − ½ Σ_d (μ_d² + σ_d²) (notes eq. 22)."""
    mu, lv = _array(mu), _array(logvar)
    return -0.5 * np.sum(_LOG_2PI + mu * mu + np.exp(lv), axis=-1)


def expected_log_q_diag(logvar: ArrayLike) -> NDArray[np.float64]:
    """E_q[log q(z)] = −(D/2) log 2π − ½ Σ_d (1 + log σ_d²) = −entropy (notes eq. 25, corrected)."""
    return -entropy_diag(logvar)


def sample_diag(
    mu: ArrayLike, p: ArrayLike, eps: ArrayLike, param: Param = "logvar"
) -> NDArray[np.float64]:
    """The reparameterized sample z = μ + σ ⊙ ε (notes eq. 42-43)."""
    return _array(mu) + std_from(p, param) * _array(eps)
