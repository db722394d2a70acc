"""Elementary functions written so that nothing cancels: the one home of these kernels.

- ``expm1mx(x) = eˣ − 1 − x ≥ 0`` (the KL's ``σ² − 1 − log σ²`` is ``expm1mx(log σ²)``);
- ``log_ratio(a, b) = log(a/b)`` for a, b > 0, as ``log1p((a − b)/b)`` when a ≈ b (the
  difference a − b is then exact, Sterbenz), so the result keeps its relative accuracy;
- ``softplus(x) = log(1 + eˣ)``, by ``logaddexp(0, x)`` (exact to a few ulp for every finite x).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["expm1mx", "log_ratio", "softplus"]

# φ(x) = Σ_{k≥2} x^k / k!, Horner coefficients for |x| < 1/2 (the k = 21 term is < 1e-25).
_SERIES = tuple(1.0 / math.factorial(k) for k in range(2, 22))
_SERIES_RADIUS = 0.5


def expm1mx(x: ArrayLike) -> NDArray[np.float64]:
    """φ(x) = eˣ − 1 − x, accurate to a few ulp for every finite x (φ ≥ 0, φ(x) ~ x²/2 at 0)."""
    x = np.asarray(x, dtype=np.float64)
    small = np.abs(x) < _SERIES_RADIUS
    xs = np.where(small, x, 0.0)
    acc = np.full_like(xs, _SERIES[-1])
    for c in reversed(_SERIES[:-1]):
        acc = acc * xs + c
    with np.errstate(over="ignore"):
        direct = np.expm1(x) - x
    return np.where(small, acc * xs * xs, direct)


def log_ratio(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """log(a / b) for a, b > 0 to a few ulp of relative error, also at a ≈ b.

    For ½ ≤ a/b ≤ 2 it is log1p((a − b)/b), where a − b is exact (Sterbenz); elsewhere
    |log(a/b)| ≥ log 2 and log of the rounded quotient is accurate; when a/b would overflow or
    underflow, log a − log b. (log a − log b alone loses the digits of log a when a ≈ b.)
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        q = a / b
        near = (q >= 0.5) & (q <= 2.0)
        normal = (q > 1e-300) & (q < 1e300)
        return np.where(
            near,
            np.log1p(np.where(near, (a - b) / b, 0.0)),
            np.where(normal, np.log(np.where(normal, q, 1.0)), np.log(a) - np.log(b)),
        )


def softplus(x: ArrayLike) -> NDArray[np.float64]:
    """softplus(x) = log(1 + eˣ) = −log sigmoid(−x), by ``logaddexp(0, x)``."""
    return np.logaddexp(0.0, np.asarray(x, dtype=np.float64))
