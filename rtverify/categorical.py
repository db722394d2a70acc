"""Categorical and Bernoulli likelihoods in NumPy: log-softmax, cross-entropy, Bernoulli log p.

The one home of these formulas (notes eq. (1), (4), (12), (14)-(17)). All are written in
logits, never in probabilities, so nothing overflows or takes the log of a rounded 0:

- log-softmax: ``log θ_j = a_j − logsumexp(a)`` (max-shifted, exact to a few ulp);
- Bernoulli: ``log p(x | a) = Σ_i [x_i a_i − softplus(a_i)]`` with θ = sigmoid(a) (notes eq. (4)),
  evaluated as ``−Σ_i [x_i softplus(−a_i) + (1 − x_i) softplus(a_i)]`` (the same for x ∈ [0, 1],
  relatively accurate at logits ±100), softplus(a) = log(1 + eᵃ) = ``np.logaddexp(0, a)``.

Arrays broadcast; the category (or pixel) axis is the last one.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp

from rtverify.special import softplus

__all__ = [
    "bernoulli_log_likelihood",
    "categorical_log_likelihood",
    "cross_entropy",
    "indicator_log_estimate",
    "log_softmax",
    "softmax",
]


def _array(x: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(x, dtype=np.float64)


def log_softmax(logits: ArrayLike) -> NDArray[np.float64]:
    """log θ_j = a_j − log Σ_k e^{a_k} over the last axis (numerically stable)."""
    a = _array(logits)
    return a - logsumexp(a, axis=-1, keepdims=True)


def softmax(logits: ArrayLike) -> NDArray[np.float64]:
    """θ_j = e^{a_j} / Σ_k e^{a_k}: the parameter of notes eq. (1)."""
    return np.exp(log_softmax(logits))


def cross_entropy(y: ArrayLike, logits: ArrayLike) -> NDArray[np.float64]:
    """H(y, θ) = −Σ_j y_j log θ_j with θ = softmax(a), over the last axis.

    For a one-hot ``y`` this is −log p(y | x), the negative of notes eq. (14) (whose right-hand
    side Σ_j y_j log θ_j is the log-likelihood, i.e. minus the cross-entropy).
    """
    y, lp = _array(y), log_softmax(logits)
    if y.shape[-1] != lp.shape[-1]:
        raise ValueError(f"y has {y.shape[-1]} categories but logits have {lp.shape[-1]}")
    return -np.sum(y * lp, axis=-1)


def categorical_log_likelihood(label: ArrayLike, logits: ArrayLike) -> NDArray[np.float64]:
    """log p(y = label | θ) = log θ_label with θ = softmax(a) (notes eq. (1), (14))."""
    lp = log_softmax(logits)
    idx = np.asarray(label)
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"label must be an integer array, not {idx.dtype}")
    if np.any(idx < 0) or np.any(idx >= lp.shape[-1]):
        raise ValueError(f"label must lie in [0, {lp.shape[-1]})")
    idx, lp = np.broadcast_arrays(idx[..., None], lp)
    return np.take_along_axis(lp, idx[..., :1], axis=-1)[..., 0]


def bernoulli_log_likelihood(x: ArrayLike, logits: ArrayLike) -> NDArray[np.float64]:
    """log Π_i θ_i^{x_i} (1 − θ_i)^{1 − x_i} with θ = sigmoid(a), summed over the last axis.

    .. math:: \\log p(x \\mid a) = \\sum_i \\big(x_i a_i - \\log(1 + e^{a_i})\\big)

    Notes eq. (4) and (12) (Kingma & Welling 2014, App. C.1). Valid for x ∈ [0, 1] (the
    "continuous Bernoulli" normaliser is not included); the binary case is the likelihood.
    """
    x, a = _array(x), _array(logits)
    if np.any(~((x >= 0) & (x <= 1))):
        raise ValueError("x must lie in [0, 1]")
    # x log σ(a) + (1 − x) log(1 − σ(a)) with log σ(a) = −softplus(−a), log(1 − σ(a)) =
    # −softplus(a): each term keeps its relative accuracy at |a| = 100 (x a − softplus(a)
    # rounds −softplus(−100) ≈ −3.7e-44 to 0).
    return -np.sum(x * softplus(-a) + (1.0 - x) * softplus(a), axis=-1)


def indicator_log_estimate(label: int, draws: ArrayLike) -> NDArray[np.float64]:
    """Notes eq. (17): log((1/K) Σ_k 1[y = y_k]) from K draws y_k ∼ Categorical(θ).

    ``draws`` has shape (..., K); the mean runs over the last axis. The mean of indicators is
    unbiased for θ_y, but its log is biased *low* (Jensen; it is −∞ with probability
    (1 − θ_y)^K), so eq. (17) does not estimate log p(y | x) without bias.
    """
    d = np.asarray(draws)
    if d.ndim == 0 or d.shape[-1] == 0:
        raise ValueError("draws must have a non-empty last axis of labels")
    with np.errstate(divide="ignore"):
        return np.log(np.mean(d == label, axis=-1))
