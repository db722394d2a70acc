"""Goodness of fit of standardized draws to N(0, 1), with both error rates stated.

For a sampler that draws its own noise, x = (z − μ)/σ must be i.i.d. N(0, 1). Three tests:

- :func:`ks_dkwm_test`: Kolmogorov–Smirnov distance D_n = sup_x |F_n(x) − Φ(x)| against the
  Dvoretzky–Kiefer–Wolfowitz–Massart bound P(D_n > ε) ≤ 2 exp(−2nε²) (Massart 1990): fail when
  D_n > ε_n(α) = √(log(2/α)/(2n)). **Bound**: false-fail ≤ α for every n, no asymptotics.
  Power: if sup |F − Φ| = Δ then at the point x₀ where it is attained, F_n(x₀) is a binomial
  mean, and Hoeffding gives P(|F_n(x₀) − F(x₀)| ≥ t) ≤ exp(−2nt²) one-sided, so D_n > ε_n with
  probability ≥ 1 − β once Δ ≥ ε_n(α) + √(log(1/β)/(2n)) (:func:`ks_min_discrepancy`;
  TFP's ``min_discrepancy_of_true_cdfs_detectable_by_dkwm`` uses the two-sided DKWM for both).
- :func:`normal_location_test`: √n·x̄ ∼ N(0, 1) **exactly** under the null; fail when
  |√n x̄| > z_{α/2}. Detects a shift δ ≥ (z_{α/2} + z_β)/√n with false-pass ≤ β (exact for
  N(δ, 1) draws).
- :func:`normal_scale_test`: Σ x² ∼ χ²_n **exactly**; fail outside [q_{α/2}, q_{1−α/2}].
  For N(0, s²) draws Σx²/s² ∼ χ²_n, so the scale errors detected with false-pass ≤ β are
  s ≥ √(q_{1−α/2}/q_β) and s ≤ √(q_{α/2}/q_{1−β}) (exact).

:func:`standard_normal_tests` runs all three at α/3 each (union bound: family false-fail ≤ α).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special
from scipy.stats import chi2

from rtverify.stats._core import z_critical
from rtverify.stats._verdict import FAIL, NOT_JUDGED, PASS, Verdict, as_samples

__all__ = [
    "dkwm_threshold",
    "ks_dkwm_test",
    "ks_min_discrepancy",
    "ks_min_samples",
    "ks_statistic",
    "normal_location_test",
    "normal_scale_test",
    "standard_normal_tests",
]

DEFAULT_FALSE_PASS = 1e-3


def _rate(value: float, what: str) -> float:
    value = float(value)
    if not 0.0 < value < 1.0:
        raise ValueError(f"{what} must be in (0, 1), not {value}")
    return value


def dkwm_threshold(n: int, alpha: float) -> float:
    """ε_n(α) = √(log(2/α)/(2n)): P(sup |F_n − F| > ε_n) ≤ α for every continuous F."""
    return math.sqrt(math.log(2.0 / _rate(alpha, "alpha")) / (2.0 * n))


def ks_min_discrepancy(n: int, alpha: float, false_pass: float = DEFAULT_FALSE_PASS) -> float:
    """Δ = ε_n(α) + √(log(1/β)/(2n)): the smallest sup |F − Φ| the DKWM test detects with
    false-pass ≤ β at n draws (a rigorous bound, see the module docstring)."""
    return dkwm_threshold(n, alpha) + math.sqrt(
        math.log(1.0 / _rate(false_pass, "false_pass")) / (2.0 * n)
    )


def ks_min_samples(discrepancy: float, alpha: float, false_pass: float = DEFAULT_FALSE_PASS) -> int:
    """n = ⌈((√(log(2/α)/2) + √(log(1/β)/2)) / Δ)²⌉: draws for the DKWM test to detect
    sup |F − Φ| ≥ Δ with false-pass ≤ β (the inverse of :func:`ks_min_discrepancy`)."""
    if not 0.0 < discrepancy <= 1.0:
        raise ValueError(f"discrepancy must be in (0, 1], not {discrepancy}")
    a = math.sqrt(math.log(2.0 / _rate(alpha, "alpha")) / 2.0)
    b = math.sqrt(math.log(1.0 / _rate(false_pass, "false_pass")) / 2.0)
    return math.ceil(((a + b) / discrepancy) ** 2)


def ks_statistic(x: np.ndarray) -> float:
    """D_n = max_i max(i/n − Φ(x_(i)), Φ(x_(i)) − (i − 1)/n) over the sorted sample."""
    n = x.size
    cdf = special.ndtr(np.sort(x.ravel()))
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - cdf), np.max(cdf - (i - 1) / n)))


def _judged(what: str, x_or_reason, alpha: float, beta: float, measure: str):
    x, reason = x_or_reason
    if x is None:
        return None, Verdict(
            what, NOT_JUDGED, reason, math.nan, math.nan, 0, alpha, beta, math.nan, measure, "exact"
        )
    return x.ravel(), None


def ks_dkwm_test(
    x: object,
    *,
    alpha: float,
    false_pass: float = DEFAULT_FALSE_PASS,
    what: str = "distribution N(0, 1) (KS, DKWM bound)",
) -> Verdict:
    """Fail when D_n = sup |F_n − Φ| > √(log(2/α)/(2n)) (false-fail ≤ α: a bound, any n).

    Not judged when the threshold is ≥ 1 (n < log(2/α)/2: no sample could fail)."""
    alpha, beta = _rate(alpha, "alpha"), _rate(false_pass, "false_pass")
    measure = "sup|F − Φ|"
    x, bad = _judged(what, as_samples(x, 1), alpha, beta, measure)
    if bad:
        return bad
    n = x.size
    thr = dkwm_threshold(n, alpha)
    if thr >= 1.0:
        return Verdict(
            what,
            NOT_JUDGED,
            f"too few draws: n = {n} < log(2/α)/2",
            math.nan,
            thr,
            n,
            alpha,
            beta,
            math.nan,
            measure,
            "bound",
        )
    d = ks_statistic(x)
    status = FAIL if d > thr else PASS
    reason = f"sup|F_n − Φ| = {d:.3g}" + (f" > {thr:.3g}" if status == FAIL else "")
    return Verdict(
        what,
        status,
        reason,
        d,
        thr,
        n,
        alpha,
        beta,
        min(1.0, ks_min_discrepancy(n, alpha, beta)),
        measure,
        "bound",
    )


def normal_location_test(
    x: object, *, alpha: float, false_pass: float = DEFAULT_FALSE_PASS, what: str = "mean 0"
) -> Verdict:
    """Fail when |√n x̄| > z_{α/2}; √n x̄ ∼ N(0, 1) exactly under the null (α exact)."""
    alpha, beta = _rate(alpha, "alpha"), _rate(false_pass, "false_pass")
    measure = "|shift| (in σ)"
    x, bad = _judged(what, as_samples(x, 1), alpha, beta, measure)
    if bad:
        return bad
    n = x.size
    stat = math.sqrt(n) * float(np.mean(x))
    crit = z_critical(alpha)
    status = FAIL if abs(stat) > crit else PASS
    reason = f"mean {stat / math.sqrt(n):.3g} (√n·mean = {stat:.3g})"
    detect = (crit + z_critical(beta, two_sided=False)) / math.sqrt(n)
    return Verdict(what, status, reason, stat, crit, n, alpha, beta, detect, measure, "exact")


def normal_scale_test(
    x: object, *, alpha: float, false_pass: float = DEFAULT_FALSE_PASS, what: str = "scale 1"
) -> Verdict:
    """Fail when Σx² ∉ [q_{α/2}, q_{1−α/2}] of χ²_n (exact under the null).

    ``detectable`` is the relative scale error |s − 1| detected with false-pass ≤ β in both
    directions: max(√(q_{1−α/2}/q_β) − 1, 1 − √(q_{α/2}/q_{1−β}))."""
    alpha, beta = _rate(alpha, "alpha"), _rate(false_pass, "false_pass")
    measure = "|scale − 1|"
    x, bad = _judged(what, as_samples(x, 1), alpha, beta, measure)
    if bad:
        return bad
    n = x.size
    ss = float(np.dot(x, x))
    lo, hi = chi2.ppf(alpha / 2, n), chi2.isf(alpha / 2, n)
    status = PASS if lo <= ss <= hi else FAIL
    s_hi = math.sqrt(hi / chi2.ppf(beta, n))
    s_lo = math.sqrt(lo / chi2.isf(beta, n))
    reason = f"scale √(Σx²/n) = {math.sqrt(ss / n):.4g}; pass band for Σx²: [{lo:.4g}, {hi:.4g}]"
    threshold = hi if ss > n else lo
    return Verdict(
        what,
        status,
        reason,
        ss,
        threshold,
        n,
        alpha,
        beta,
        max(s_hi - 1.0, 1.0 - s_lo),
        measure,
        "exact",
    )


def standard_normal_tests(
    x: object, *, alpha: float, false_pass: float = DEFAULT_FALSE_PASS
) -> tuple[Verdict, Verdict, Verdict]:
    """The DKWM, location and scale tests at α/3 each (union bound: false-fail ≤ α)."""
    a = _rate(alpha, "alpha") / 3.0
    return (
        ks_dkwm_test(x, alpha=a, false_pass=false_pass),
        normal_location_test(x, alpha=a, false_pass=false_pass),
        normal_scale_test(x, alpha=a, false_pass=false_pass),
    )
