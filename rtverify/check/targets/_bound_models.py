"""The models of the ``elbo`` and ``iwae`` targets: code for IMPL, reference, exact values, sizes.

Each :class:`BoundModel` is a function of z (shape (…, batch, 2) ↦ (…, batch)) given twice: as
``code`` that IMPL's framework evaluates (an :class:`~rtverify.check.calls.Fn`, differentiable
by its autograd) and as an independent NumPy ``reference``; ``truth`` is the tractable model of
:mod:`rtverify.models` it comes from (exact log p(x) and ELBO), ``size(z)`` the per-row
magnitude of its terms and of its gradient in z (for the rounding bound of the targets).

- linear-Gaussian (``LIKELIHOOD``, ``JOINT``): x | z ∼ N(Wz + b, diag ψ), prior N(0, I₂), one
  observation x ∈ ℝ³ (:class:`rtverify.models.LinearGaussian`: log p(x) and the ELBO of a
  Gaussian q in closed form);
- Bernoulli decoder (``BERNOULLI``): x_i | z ∼ Bernoulli(sigmoid(a_i)), a = Wz + b, four
  pixels x = (1, 0, 1, 0), written Σ_i log_sigmoid(s_i a_i) with s_i = 2x_i − 1 — the
  framework's stable log-sigmoid, so the logits may run to ±250 (wide variances) where a
  naive log(sigmoid(a)) is log 0; its rounding is u·O(|a| + 1) per pixel (the ``size``).
  log p(x) = log ∫ N(z; 0, I) Π_i sigmoid(s_i a_i) dz and E_q[log p(x | z)] by 80 × 80
  Gauss–Hermite quadrature (:class:`rtverify.models.GaussianLatentBernoulli`), within
  ``QUADRATURE_ERROR`` = 1e-9 nats of independent routes at the configurations the targets use
  (tests/test_check_bounds.py: log p(x) against SciPy's adaptive dblquad and mpmath's 2-D
  quadrature, the ELBO against Σ_i E log sigmoid(s_i a_i) by 1-D mpmath quadrature, each a_i
  being Gaussian under q);
- ``SPREAD`` (``iwae`` only): 1000·tanh(z₁ − z₂) − ½‖z‖² − log 2π, log-weights over ±1e3.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rtverify.categorical import bernoulli_log_likelihood
from rtverify.elbo import GaussianQ, elbo_exact
from rtverify.models import GaussianLatentBernoulli, LinearGaussian
from rtverify.special import softplus

__all__ = [
    "BERNOULLI",
    "DIAGONAL_POSTERIOR",
    "JOINT",
    "LIKELIHOOD",
    "QUADRATURE_ERROR",
    "SPREAD",
    "BoundModel",
    "exact_values",
]

#: |quadrature − independent quadrature| bound (nats) of log p(x) and of the ELBO of the
#: Bernoulli decoder at the configurations the targets test (tests/test_check_bounds.py).
QUADRATURE_ERROR = 1e-9

_W = ((1.2, -0.4), (0.3, 0.9), (-0.7, 0.5))
_B, _PSI, _X = (0.2, -0.1, 0.4), (0.5, 0.8, 1.3), (0.4, -1.0, 2.0)
BERNOULLI_W = ((1.5, -0.8), (-0.6, 1.1), (0.9, 0.7), (-1.2, 0.3))
BERNOULLI_B = (0.2, -0.5, 0.1, 0.4)
BERNOULLI_X = (1.0, 0.0, 1.0, 0.0)
_LOG_2PI = math.log(2 * math.pi)


@dataclass(frozen=True)
class BoundModel:
    name: str
    code: str
    reference: Callable[[np.ndarray], np.ndarray]
    #: per-row (size of the terms, norm of the gradient in z) at z, for the rounding bound
    size: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
    #: the tractable model (rtverify.models) and its observation x, or None
    truth: object = None
    x: tuple[float, ...] = ()


def _affine(w: tuple[float, float], b: float) -> str:
    return f"({w[0]!r}*z[...,0] + {w[1]!r}*z[...,1] + {b!r})"


def _lg_code(W=_W, B=_B, PSI=_PSI, X=_X) -> str:
    terms = [
        f"(({x!r} - {_affine(w, b)})**2/{psi!r} + {math.log(2 * math.pi * psi)!r})"
        for w, b, psi, x in zip(W, B, PSI, X, strict=True)
    ]
    return "-0.5*(" + " + ".join(terms) + ")"


_PRIOR_CODE = f"-0.5*(z[...,0]**2 + z[...,1]**2 + {2 * _LOG_2PI!r})"


def _log_prior(z: np.ndarray) -> np.ndarray:
    return -0.5 * np.sum(z * z + _LOG_2PI, axis=-1)


def _lg_likelihood(z: np.ndarray) -> np.ndarray:
    W, b, psi, x = (np.asarray(v) for v in (_W, _B, _PSI, _X))
    r = x - (z @ W.T + b)
    return -0.5 * np.sum(r * r / psi + np.log(2 * np.pi * psi), axis=-1)


def _lg_size(z: np.ndarray, prior: bool) -> tuple[np.ndarray, np.ndarray]:
    W, b, psi, x = (np.asarray(v) for v in (_W, _B, _PSI, _X))
    r = x - (z @ W.T + b)
    terms = np.sum(r * r / psi + np.abs(np.log(2 * np.pi * psi)), axis=-1)
    grad = np.linalg.norm((r / psi) @ W, axis=-1)
    if prior:
        terms = terms + np.sum(z * z, -1) + 2 * _LOG_2PI
        grad = grad + np.linalg.norm(z, axis=-1)
    return terms, grad


def _bernoulli_code() -> str:
    return " + ".join(
        f"log_sigmoid({'' if x else '-'}{_affine(w, b)})"
        for w, b, x in zip(BERNOULLI_W, BERNOULLI_B, BERNOULLI_X, strict=True)
    )


def _bernoulli_likelihood(z: np.ndarray) -> np.ndarray:
    W, b = np.asarray(BERNOULLI_W), np.asarray(BERNOULLI_B)
    return bernoulli_log_likelihood(np.asarray(BERNOULLI_X), z @ W.T + b)


def _bernoulli_size(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Σ_i (|log sigmoid(s_i a_i)| + Σ_d |W_id z_d| + |b_i| + 1) — the rounding of a_i and of a
    stable log-sigmoid (relative to its value) — and ‖Σ_i s_i sigmoid(−s_i a_i) w_i‖."""
    W, b = np.asarray(BERNOULLI_W), np.asarray(BERNOULLI_B)
    s = 2 * np.asarray(BERNOULLI_X) - 1
    a = z @ W.T + b
    terms = np.sum(softplus(-s * a) + np.abs(z) @ np.abs(W).T + np.abs(b) + 1, axis=-1)
    slope = s / (1 + np.exp(np.clip(s * a, -700, 700)))  # s_i sigmoid(−s_i a_i)
    return terms, np.linalg.norm(slope @ W, axis=-1)


def _spread_size(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return 1e3 + np.sum(z * z, -1) + 4.0, 1e3 * math.sqrt(2) + np.linalg.norm(z, axis=-1)


_LINEAR_GAUSSIAN = LinearGaussian(np.array(_W), np.array(_B), np.array(_PSI))
LIKELIHOOD = BoundModel(
    "linear-Gaussian log p(x | z)",
    _lg_code(),
    _lg_likelihood,
    lambda z: _lg_size(z, False),
    _LINEAR_GAUSSIAN,
    _X,
)
JOINT = BoundModel(
    "linear-Gaussian log p(x, z)",
    _lg_code() + " + " + _PRIOR_CODE,
    lambda z: _lg_likelihood(z) + _log_prior(z),
    lambda z: _lg_size(z, True),
    _LINEAR_GAUSSIAN,
    _X,
)
BERNOULLI = BoundModel(
    "Bernoulli decoder log p(x | z), x = (1, 0, 1, 0)",
    _bernoulli_code(),
    _bernoulli_likelihood,
    _bernoulli_size,
    GaussianLatentBernoulli(np.array(BERNOULLI_W), np.array(BERNOULLI_B)),
    BERNOULLI_X,
)
SPREAD = BoundModel(
    "1000·tanh(z₁ − z₂) − ½‖z‖² (log-weights over ±1e3)",
    "1000.0*tanh(z[...,0] - z[...,1]) + " + _PRIOR_CODE,
    lambda z: 1000.0 * np.tanh(z[..., 0] - z[..., 1]) + _log_prior(z),
    _spread_size,
)


#: x | z ∼ N(W'z + b, diag ψ') with orthogonal columns of W' and ψ'_1 = ψ'_2: the posterior
#: precision I + W'ᵀ diag(1/ψ') W' = 5 I is diagonal, so a diagonal q can equal p(z | x)
#: exactly (``elbo-gradient`` shows STL's variance vanishing there)
_W_ORTHOGONAL, _PSI_EQUAL = ((1.0, 1.0), (1.0, -1.0), (0.0, 0.0)), (0.5, 0.5, 1.3)
DIAGONAL_POSTERIOR = BoundModel(
    "linear-Gaussian log p(x, z), W = [[1, 1], [1, −1], [0, 0]], ψ = (0.5, 0.5, 1.3)",
    _lg_code(_W_ORTHOGONAL, _B, _PSI_EQUAL, _X) + " + " + _PRIOR_CODE,
    lambda z: LinearGaussian(
        np.array(_W_ORTHOGONAL), np.array(_B), np.array(_PSI_EQUAL)
    ).log_joint(np.array(_X), z),
    lambda z: (np.zeros(z.shape[:-1]), np.zeros(z.shape[:-1])),  # not used for rounding
    LinearGaussian(np.array(_W_ORTHOGONAL), np.array(_B), np.array(_PSI_EQUAL)),
    _X,
)


def exact_values(model: BoundModel, mu: np.ndarray, logvar: np.ndarray) -> tuple[float, float]:
    """(ELBO(q), log p(x)) for q = N(μ, diag exp(log σ²)), prior N(0, I), exact (closed form
    for the linear-Gaussian model, quadrature within ``QUADRATURE_ERROR`` for the Bernoulli
    decoder). ELBO = L_1 ≤ L_K ≤ log p(x) (Burda et al. 2016, Theorem 1)."""
    x = np.asarray(model.x)
    q = GaussianQ.diag(np.asarray(mu, float), np.asarray(logvar, float))
    return elbo_exact(model.truth, x, q), float(model.truth.log_evidence(x))
