"""Tractable latent-variable models: exact log p(x), exact posteriors, closed-form ELBO parts.

Each model is the ground truth against which the ELBO and IWAE estimators of
:mod:`rtverify.elbo` are tested (notes eq. (2)-(5), (9), (47)). Conventions: the latent z has
its dimension on the last axis and any leading batch axes (Monte Carlo draws); an observation
``x`` is one data point (for :class:`NormalNormal`, a vector of i.i.d. observations).

Continuous models (Gaussian prior N(m₀, S₀)) expose ``prior_mean``, ``prior_cov``,
``log_prior(z)``, ``log_likelihood(x, z)``, ``log_joint(x, z)``, ``grad_log_joint(x, z)``
(∇_z log p(x, z)), ``log_evidence(x)`` and, where the decoder is linear-Gaussian,
``posterior(x) -> (mean, cov)`` and ``expected_log_likelihood(x, mean, chol)`` =
E_{N(mean, LLᵀ)}[log p(x | z)] in closed form.

Discrete-latent models (:class:`GaussianMixture`, :class:`BinaryLatentBernoulli`) enumerate
the latent values: ``log_joint_table(x)`` is log p(x, z) for every z, so log p(x) =
logsumexp(table) and p(z | x) = softmax(table) are exact by summation (notes eq. (5)).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp

from rtverify.categorical import bernoulli_log_likelihood, log_softmax
from rtverify.gaussian import log_density_diag, log_density_full

__all__ = [
    "BinaryLatentBernoulli",
    "ConditionalLinearGaussian",
    "GaussianLatentBernoulli",
    "GaussianMixture",
    "LinearGaussian",
    "NormalNormal",
]

_LOG_2PI = math.log(2.0 * math.pi)
Array = NDArray[np.float64]


def _vector(v: ArrayLike, name: str, size: int | None = None) -> Array:
    a = np.asarray(v, dtype=np.float64)
    if a.ndim != 1 or (size is not None and a.size != size):
        want = f"of length {size}" if size is not None else "1-d"
        raise ValueError(f"{name} must be a {want} array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _positive(v: ArrayLike, name: str, size: int | None = None) -> Array:
    a = _vector(np.atleast_1d(v), name, size)
    if np.any(a <= 0):
        raise ValueError(f"{name} must be positive")
    return a


def _matrix(m: ArrayLike, name: str, shape: tuple[int | None, int | None]) -> Array:
    a = np.asarray(m, dtype=np.float64)
    ok = a.ndim == 2 and all(s is None or s == n for s, n in zip(shape, a.shape, strict=False))
    if not ok or not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be a finite matrix of shape {shape}, got {a.shape}")
    return a


class NormalNormal:
    """z ∼ N(m₀, s₀²), x_i | z ∼ N(z, s²) i.i.d. for i = 1..n (the conjugate pair).

    - evidence: x ∼ N(m₀ 1, s² I + s₀² 11ᵀ), so with r = x − m₀ (Sherman–Morrison)
      log p(x) = −½[n log 2π + 2n log s + log(1 + n s₀²/s²) + (‖r‖² − s₀²(Σr)²/(s² + n s₀²))/s²];
    - posterior: z | x ∼ N(v (m₀/s₀² + Σx/s²), v) with 1/v = 1/s₀² + n/s²;
    - E_{N(μ, σ²)}[log p(x | z)] = −½ Σ_i [log 2πs² + ((x_i − μ)² + σ²)/s²].

    (Bishop 2006, §2.3.6; Murphy 2007, "Conjugate Bayesian analysis of the Gaussian".)
    """

    def __init__(self, m0: float, s0: float, s: float) -> None:
        self.m0, self.s0, self.s = (
            float(m0),
            float(_positive(s0, "s0")[0]),
            float(_positive(s, "s")[0]),
        )
        if not math.isfinite(self.m0):
            raise ValueError("m0 must be finite")
        self.prior_mean = np.array([self.m0])
        self.prior_cov = np.array([[self.s0**2]])

    def _x(self, x: ArrayLike) -> Array:
        return _vector(np.atleast_1d(x), "x")

    def log_prior(self, z: ArrayLike) -> Array:
        """log N(z; m₀, s₀²); z has shape (..., 1)."""
        return log_density_diag(z, self.m0, 2.0 * math.log(self.s0))

    def log_likelihood(self, x: ArrayLike, z: ArrayLike) -> Array:
        """Σ_i log N(x_i; z, s²); z has shape (..., 1)."""
        return log_density_diag(self._x(x), np.asarray(z, float), 2.0 * math.log(self.s))

    def log_joint(self, x: ArrayLike, z: ArrayLike) -> Array:
        return self.log_likelihood(x, z) + self.log_prior(z)

    def grad_log_joint(self, x: ArrayLike, z: ArrayLike) -> Array:
        """∇_z log p(x, z) = Σ_i (x_i − z)/s² − (z − m₀)/s₀²."""
        x, z = self._x(x), np.asarray(z, float)
        return (x.sum() - x.size * z) / self.s**2 - (z - self.m0) / self.s0**2

    def log_evidence(self, x: ArrayLike) -> float:
        x = self._x(x)
        n, s2, t2 = x.size, self.s**2, self.s0**2
        r = x - self.m0
        quad = (r @ r - t2 * r.sum() ** 2 / (s2 + n * t2)) / s2
        logdet = n * math.log(s2) + math.log1p(n * t2 / s2)
        return -0.5 * (n * _LOG_2PI + logdet + quad)

    def posterior(self, x: ArrayLike) -> tuple[Array, Array]:
        """(mean (1,), cov (1, 1)) of p(z | x)."""
        x = self._x(x)
        v = 1.0 / (1.0 / self.s0**2 + x.size / self.s**2)
        return np.array([v * (self.m0 / self.s0**2 + x.sum() / self.s**2)]), np.array([[v]])

    def expected_log_likelihood(self, x: ArrayLike, mean: ArrayLike, chol: ArrayLike) -> float:
        x, mu, var = self._x(x), float(np.ravel(mean)[0]), float(np.ravel(chol)[0]) ** 2
        return float(
            -0.5 * np.sum(_LOG_2PI + math.log(self.s**2) + ((x - mu) ** 2 + var) / self.s**2)
        )


class LinearGaussian:
    """Factor analysis / PPCA: z ∼ N(m₀, S₀) (default N(0, I_K)), x | z ∼ N(Wz + b, Ψ),
    Ψ = diag ψ.

    - evidence: log p(x) = log N(x; W m₀ + b, W S₀ Wᵀ + Ψ) (Tipping & Bishop 1999, eq. (4));
    - posterior: P = S₀⁻¹ + Wᵀ Ψ⁻¹ W, z | x ∼ N(P⁻¹(S₀⁻¹ m₀ + Wᵀ Ψ⁻¹ (x − b)), P⁻¹)
      (Bishop 2006, eq. (2.116)-(2.117));
    - E_{N(μ, LLᵀ)}[log p(x | z)] = log N(x; Wμ + b, Ψ) − ½ tr(Ψ⁻¹ W L Lᵀ Wᵀ).
    """

    def __init__(
        self,
        W: ArrayLike,
        b: ArrayLike,
        psi: ArrayLike,
        prior_mean: ArrayLike | None = None,
        prior_cov: ArrayLike | None = None,
    ) -> None:
        self.W = _matrix(W, "W", (None, None))
        d, k = self.W.shape
        self.b = _vector(b, "b", d)
        self.psi = _positive(psi, "psi", d)
        self.prior_mean = (
            np.zeros(k) if prior_mean is None else _vector(prior_mean, "prior_mean", k)
        )
        self.prior_cov = np.eye(k) if prior_cov is None else _matrix(prior_cov, "prior_cov", (k, k))
        try:
            self._prior_chol = np.linalg.cholesky(self.prior_cov)
        except np.linalg.LinAlgError as exc:
            raise ValueError("prior_cov must be symmetric positive definite") from exc
        self._prior_prec = np.linalg.inv(self.prior_cov)

    def _x(self, x: ArrayLike) -> Array:
        return _vector(x, "x", self.W.shape[0])

    def log_prior(self, z: ArrayLike) -> Array:
        return log_density_full(z, self.prior_mean, self._prior_chol)

    def log_likelihood(self, x: ArrayLike, z: ArrayLike) -> Array:
        mean = np.asarray(z, float) @ self.W.T + self.b
        return log_density_diag(self._x(x), mean, np.log(self.psi))

    def log_joint(self, x: ArrayLike, z: ArrayLike) -> Array:
        return self.log_likelihood(x, z) + self.log_prior(z)

    def grad_log_joint(self, x: ArrayLike, z: ArrayLike) -> Array:
        """∇_z log p(x, z) = Wᵀ Ψ⁻¹ (x − b − Wz) − S₀⁻¹ (z − m₀)."""
        z = np.asarray(z, float)
        r = (self._x(x) - self.b - z @ self.W.T) / self.psi
        return r @ self.W - (z - self.prior_mean) @ self._prior_prec

    def marginal(self) -> tuple[Array, Array]:
        """(mean, cov) of x: (W m₀ + b, W S₀ Wᵀ + Ψ)."""
        cov = self.W @ self.prior_cov @ self.W.T + np.diag(self.psi)
        return self.W @ self.prior_mean + self.b, cov

    def log_evidence(self, x: ArrayLike) -> float:
        mean, cov = self.marginal()
        return float(log_density_full(self._x(x), mean, np.linalg.cholesky(cov)))

    def posterior(self, x: ArrayLike) -> tuple[Array, Array]:
        prec = self._prior_prec + (self.W.T / self.psi) @ self.W
        cov = np.linalg.inv(prec)
        cov = 0.5 * (cov + cov.T)
        rhs = self._prior_prec @ self.prior_mean + (self.W.T / self.psi) @ (self._x(x) - self.b)
        return cov @ rhs, cov

    def expected_log_likelihood(self, x: ArrayLike, mean: ArrayLike, chol: ArrayLike) -> float:
        wl = self.W @ np.asarray(chol, float)
        trace = np.sum(wl * wl / self.psi[:, None])
        return float(self.log_likelihood(x, np.asarray(mean, float)) - 0.5 * trace)


class ConditionalLinearGaussian:
    """p(z | c) = N(A c + a, I_K), p(x | z, c) = N(Wz + V c + b, diag ψ) (notes eq. (47)).

    For fixed c this is a :class:`LinearGaussian` (:meth:`given`), so log p(x | c) and
    p(z | x, c) are exact.
    """

    def __init__(
        self, W: ArrayLike, V: ArrayLike, b: ArrayLike, psi: ArrayLike, A: ArrayLike, a: ArrayLike
    ) -> None:
        self.W = _matrix(W, "W", (None, None))
        d, k = self.W.shape
        self.V = _matrix(V, "V", (d, None))
        self.A = _matrix(A, "A", (k, self.V.shape[1]))
        self.b, self.a = _vector(b, "b", d), _vector(a, "a", k)
        self.psi = _positive(psi, "psi", d)

    def given(self, c: ArrayLike) -> LinearGaussian:
        """The model of (z, x) given c: prior N(Ac + a, I), decoder offset Vc + b."""
        c = _vector(c, "c", self.V.shape[1])
        return LinearGaussian(self.W, self.V @ c + self.b, self.psi, self.A @ c + self.a)

    def log_evidence(self, x: ArrayLike, c: ArrayLike) -> float:
        """log p(x | c) = log N(x; W(Ac + a) + Vc + b, WWᵀ + Ψ)."""
        return self.given(c).log_evidence(x)


class _DiscreteLatent:
    """Shared exact inference by enumeration of the latent values."""

    def log_joint_table(self, x: ArrayLike) -> Array:  # pragma: no cover - abstract
        raise NotImplementedError

    def log_evidence(self, x: ArrayLike) -> float:
        """log p(x) = log Σ_z p(x, z) (notes eq. (3), (5)), by logsumexp."""
        return float(logsumexp(self.log_joint_table(x)))

    def posterior(self, x: ArrayLike) -> Array:
        """p(z | x) = p(x, z)/p(x) for every latent value z (softmax of the table)."""
        return np.exp(log_softmax(self.log_joint_table(x)))


class GaussianMixture(_DiscreteLatent):
    """z ∼ Categorical(π) over M components, x | z ∼ N(μ_z, diag σ_z²); latent values 0..M−1.

    log p(x, z) = log π_z + log N(x; μ_z, diag σ_z²) (Bishop 2006, eq. (9.7)).
    """

    def __init__(self, weights: ArrayLike, means: ArrayLike, variances: ArrayLike) -> None:
        w = _positive(weights, "weights")
        if abs(w.sum() - 1.0) > 1e-12:
            raise ValueError("weights must sum to 1")
        self.log_weights = np.log(w)
        self.means = _matrix(means, "means", (w.size, None))
        self.variances = _matrix(variances, "variances", self.means.shape)
        if np.any(self.variances <= 0):
            raise ValueError("variances must be positive")

    def log_joint_table(self, x: ArrayLike) -> Array:
        x = _vector(x, "x", self.means.shape[1])
        return self.log_weights + log_density_diag(x, self.means, np.log(self.variances))


class BinaryLatentBernoulli(_DiscreteLatent):
    """z ∈ {0,1}^k with z_j ∼ Bernoulli(sigmoid(a_j)), x_i | z ∼ Bernoulli(sigmoid((Wz + b)_i)).

    The decoder D_β(z) = sigmoid(Wz + b) of notes eq. (4), (12); p(x) by the sum over the 2^k
    latent values, notes eq. (5). Latent values are ordered as :meth:`latent_values`.
    """

    def __init__(self, prior_logits: ArrayLike, W: ArrayLike, b: ArrayLike) -> None:
        self.prior_logits = _vector(prior_logits, "prior_logits")
        k = self.prior_logits.size
        if k > 16:
            raise ValueError("at most 16 binary latents (2^k terms are enumerated)")
        self.W = _matrix(W, "W", (None, k))
        self.b = _vector(b, "b", self.W.shape[0])
        self.values = np.array(list(itertools.product((0.0, 1.0), repeat=k)))

    def latent_values(self) -> Array:
        """All 2^k latent vectors, shape (2^k, k)."""
        return self.values

    def log_likelihood(self, x: ArrayLike, z: ArrayLike) -> Array:
        """log p(x | z) = Σ_i log Bernoulli(x_i; sigmoid((Wz + b)_i)), notes eq. (4)."""
        x = _vector(x, "x", self.W.shape[0])
        return bernoulli_log_likelihood(x, np.asarray(z, float) @ self.W.T + self.b)

    def log_prior(self, z: ArrayLike) -> Array:
        return bernoulli_log_likelihood(z, self.prior_logits)

    def log_joint_table(self, x: ArrayLike) -> Array:
        return self.log_likelihood(x, self.values) + self.log_prior(self.values)


class GaussianLatentBernoulli:
    """z ∼ N(0, I_K) (K ≤ 2), x_i | z ∼ Bernoulli(sigmoid((Wz + b)_i)): the VAE of notes
    eq. (4), (12) with the prior of eq. (19)/(26), a linear decoder.

    log p(x) and E_{N(μ, LLᵀ)}[log p(x | z)] are integrals of smooth functions against a
    Gaussian, computed by tensor Gauss–Hermite quadrature with ``nodes`` points per axis
    (for the moderate weights of the tests it agrees with mpmath quadrature to 1e-9 relative).
    """

    def __init__(self, W: ArrayLike, b: ArrayLike, nodes: int = 80) -> None:
        self.W = _matrix(W, "W", (None, None))
        if self.W.shape[1] > 2:
            raise ValueError("quadrature is tensor Gauss-Hermite: at most 2 latent dimensions")
        self.b = _vector(b, "b", self.W.shape[0])
        k = self.W.shape[1]
        self.prior_mean, self.prior_cov = np.zeros(k), np.eye(k)
        t, w = np.polynomial.hermite_e.hermegauss(nodes)  # weight e^{-t²/2}
        grids = np.meshgrid(*([t] * k), indexing="ij")
        self._eps = np.stack([g.ravel() for g in grids], axis=-1)
        logw = np.log(w / math.sqrt(2.0 * math.pi))
        self._logw = sum(np.meshgrid(*([logw] * k), indexing="ij")).ravel()

    def log_likelihood(self, x: ArrayLike, z: ArrayLike) -> Array:
        x = _vector(x, "x", self.W.shape[0])
        return bernoulli_log_likelihood(x, np.asarray(z, float) @ self.W.T + self.b)

    def log_prior(self, z: ArrayLike) -> Array:
        return log_density_diag(z, 0.0, 0.0)

    def log_joint(self, x: ArrayLike, z: ArrayLike) -> Array:
        return self.log_likelihood(x, z) + self.log_prior(z)

    def log_evidence(self, x: ArrayLike) -> float:
        """log ∫ p(x | z) N(z; 0, I) dz by Gauss–Hermite (notes eq. (3))."""
        return float(logsumexp(self._logw + self.log_likelihood(x, self._eps)))

    def expected_log_likelihood(self, x: ArrayLike, mean: ArrayLike, chol: ArrayLike) -> float:
        """E_{ε∼N(0,I)}[log p(x | μ + Lε)] by Gauss–Hermite."""
        z = np.asarray(mean, float) + self._eps @ np.asarray(chol, float).T
        return float(np.exp(self._logw) @ self.log_likelihood(x, z))
