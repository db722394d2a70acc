"""The calibrated tests ``rtverify check`` uses, in the terms its targets need.

The tests themselves live in :mod:`rtverify.stats` (their formulas, null laws, α and power are
stated and tested there); this module only adapts them:

- the law of standardized draws: :func:`rtverify.stats.ks_dkwm_test` (the DKWM bound: α
  rigorous for any n), :func:`~rtverify.stats.normal_location_test` (√n·x̄ ~ N(0, 1), exact) and
  :func:`~rtverify.stats.normal_scale_test` (Σx² ~ χ²_n, exact);
- independence: :func:`rtverify.stats.correlation_test` (r·√((n − 2)/(1 − r²)) ~ t_{n−2}, exact);
- a mean: :func:`rtverify.stats.robust_mean_test` — Hall's skew-corrected studentised mean with
  an Edgeworth margin, which declines ("not judged") when a Hill estimate of the tail index says
  the tails are too heavy for its α (calibrated over many seeds, not exact).

Each verdict states its α and the smallest discrepancy it detects with false-pass β = 1e-3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rtverify import stats

__all__ = [
    "MeanVerdict",
    "correlation",
    "dkwm_normal",
    "mean_test",
    "normal_mean",
    "normal_variance",
]


def dkwm_normal(x: np.ndarray, alpha: float) -> stats.Verdict:
    """Kolmogorov distance of ``x`` (flattened) to N(0, 1) against the DKWM bound."""
    return stats.ks_dkwm_test(np.ravel(x), alpha=alpha, what="Kolmogorov distance to N(0, 1)")


def normal_mean(x: np.ndarray, alpha: float) -> stats.Verdict:
    return stats.normal_location_test(np.ravel(x), alpha=alpha, what="mean of (z − μ)/σ is 0")


def normal_variance(x: np.ndarray, alpha: float) -> stats.Verdict:
    return stats.normal_scale_test(np.ravel(x), alpha=alpha, what="variance of (z − μ)/σ is 1")


def correlation(a: np.ndarray, b: np.ndarray, what: str, alpha: float) -> stats.Verdict:
    return stats.correlation_test(
        np.ravel(a), np.ravel(b), alpha=alpha, what=f"no correlation {what}"
    )


@dataclass(frozen=True)
class MeanVerdict:
    """A test of E[X] = m₀ that may decline: ``judged`` is False when the tails are too heavy
    for its α at this n (then ``passed`` is True: no verdict of bias is given)."""

    passed: bool
    judged: bool
    estimate: float
    expected: float
    statistic: float
    critical: float
    alpha: float
    n: int
    min_bias: float  # the smallest |bias| detected with probability ≥ 1 − β at this n
    reason: str = ""


def mean_test(x: np.ndarray, expected: float, alpha: float) -> MeanVerdict:
    """:func:`rtverify.stats.robust_mean_test` of E[x] = ``expected``."""
    x = np.asarray(x, dtype=np.float64).ravel()
    v = stats.robust_mean_test(x, expected, alpha=alpha)
    estimate = float(np.mean(x)) if x.size and np.isfinite(x).all() else math.nan
    return MeanVerdict(
        passed=not v.failed,
        judged=not v.not_judged,
        estimate=estimate,
        expected=float(expected),
        statistic=v.statistic,
        critical=v.threshold,
        alpha=alpha,
        n=v.n,
        min_bias=v.detectable,
        reason=v.reason,
    )
