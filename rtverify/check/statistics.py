"""Calibrated tests for the laws of samples, as ``rtverify check`` uses them.

Each function returns a :class:`Verdict` stating its false-alarm probability α (the chance that a
correct implementation fails it) and its power (the smallest discrepancy it detects with
false-pass probability β). All tests here are *exact* or rigorously bounded under the null:

- :func:`dkwm_normal`: sup_x |F_n(x) − Φ(x)| ≤ ε with ε = √(ln(2/α) / 2n) — the
  Dvoretzky–Kiefer–Wolfowitz–Massart inequality (Massart 1990) gives P(false alarm) ≤ α for any
  n, no asymptotics; it detects any law whose CDF is ≥ ε + √(ln(1/β) / 2n) away from Φ
  somewhere (then the empirical CDF stays ≥ ε away with probability ≥ 1 − β, Hoeffding).
- :func:`normal_mean`: √n·x̄ ~ N(0, 1) exactly for iid N(0, 1) draws.
- :func:`normal_variance`: Σx² ~ χ²_n exactly.
- :func:`correlation`: for independent normal pairs, r·√((n − 2)/(1 − r²)) ~ t_{n−2} exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Verdict", "correlation", "dkwm_normal", "normal_mean", "normal_variance"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of one calibrated test."""

    name: str
    passed: bool
    statistic: float
    threshold: float
    alpha: float
    n: int
    power: str  # "detects …: the smallest discrepancy caught with probability ≥ 1 − β"

    def describe(self) -> str:
        verdict = "passes" if self.passed else "fails"
        return (
            f"{self.name} {verdict}: statistic {self.statistic:.4g} vs threshold "
            f"{self.threshold:.4g} (n = {self.n}, α = {self.alpha:.1e}); {self.power}"
        )


def _phi(x: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return ndtr(x)


def _z(alpha: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(1.0 - alpha)


def dkwm_normal(x: np.ndarray, alpha: float, beta: float = 1e-3) -> Verdict:
    """Two-sided DKWM test that ``x`` (flattened) are draws of N(0, 1)."""
    x = np.sort(np.asarray(x, dtype=np.float64).ravel())
    n = x.size
    cdf = _phi(x)
    i = np.arange(1, n + 1)
    d = float(max(np.max(i / n - cdf), np.max(cdf - (i - 1) / n)))
    eps = math.sqrt(math.log(2.0 / alpha) / (2.0 * n))
    detect = eps + math.sqrt(math.log(1.0 / beta) / (2.0 * n))
    power = f"detects a CDF off by ≥ {detect:.3g} somewhere (β = {beta:g})"
    return Verdict("Kolmogorov distance to N(0, 1) (DKWM)", d <= eps, d, eps, alpha, n, power)


def normal_mean(x: np.ndarray, alpha: float, beta: float = 1e-3) -> Verdict:
    """Two-sided exact z-test of mean 0 for N(0, 1) draws."""
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    stat = abs(float(x.mean())) * math.sqrt(n)
    crit = _z(alpha / 2)
    detect = (crit + _z(beta)) / math.sqrt(n)
    power = f"detects a mean shift ≥ {detect:.3g} σ (β = {beta:g})"
    return Verdict("mean of (z − μ)/σ is 0", stat <= crit, stat, crit, alpha, n, power)


def normal_variance(x: np.ndarray, alpha: float, beta: float = 1e-3) -> Verdict:
    """Two-sided exact χ²_n test that E[x²] = 1 for N(0, 1) draws."""
    from scipy.stats import chi2

    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    s = float(np.dot(x, x))
    lo, hi = chi2.ppf(alpha / 2, n), chi2.isf(alpha / 2, n)
    # a scale error σ' = (1 + δ)σ multiplies Σx² by (1 + δ)²; caught when the whole χ²
    # distribution (to its β quantile) lies past the threshold
    upper = math.sqrt(hi / chi2.ppf(beta, n)) - 1.0
    power = f"detects a scale off by ≥ {100 * upper:.2g} % (β = {beta:g})"
    ok = lo <= s <= hi
    threshold = hi if s > n else lo
    return Verdict("variance of (z − μ)/σ is 1 (χ²)", ok, s, threshold, alpha, n, power)


def correlation(a: np.ndarray, b: np.ndarray, what: str, alpha: float) -> Verdict:
    """Two-sided exact t-test of zero correlation between paired N(0, 1) draws ``a``, ``b``."""
    from scipy.stats import t as student

    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    n = a.size
    r = float(np.corrcoef(a, b)[0, 1]) if n > 2 else 0.0
    r = 0.0 if not math.isfinite(r) else max(-1.0, min(1.0, r))
    stat = abs(r) * math.sqrt((n - 2) / max(1e-300, 1.0 - r * r))
    crit = float(student.isf(alpha / 2, n - 2))
    detect = 2 * crit / math.sqrt(n)
    power = f"detects a correlation ≥ {detect:.2g}"
    return Verdict(f"no correlation {what}", stat <= crit, stat, crit, alpha, n, power)


@dataclass(frozen=True)
class MeanVerdict:
    """A test of E[X] = m₀ that may decline: ``judged`` is False when the tails are too heavy
    for the normal approximation at this n (then ``passed`` is True: no verdict of bias)."""

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


#: Not judged when one observation carries more than ``SHARE_MARGIN`` × 2 ln(n)/n of the sum of
#: squares (about what the largest of n normal observations carries): the normal approximation
#: of the mean's tails then fails at small α.
SHARE_MARGIN = 5.0


def mean_test(x: np.ndarray, expected: float, alpha: float, beta: float = 1e-3) -> MeanVerdict:
    """Two-sided skew-corrected studentised test of E[x] = ``expected`` (Hall 1992), declining
    ("not judged") when the sample's tails are too heavy to hold α; states its power."""
    from rtverify import stats

    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    dev = x - x.mean()
    ss = float(np.dot(dev, dev))
    sd = math.sqrt(ss / max(n - 1, 1))
    crit = _z(alpha / 2)
    min_bias = (crit + _z(beta)) * sd / math.sqrt(max(n, 1))
    if not np.isfinite(x).all():
        return MeanVerdict(
            False, True, math.nan, expected, math.inf, crit, alpha, n, min_bias, "non-finite values"
        )
    if ss == 0.0:
        mean = float(x[0]) if n else math.nan
        ok = mean == expected
        return MeanVerdict(
            ok, True, mean, expected, 0.0 if ok else math.inf, crit, alpha, n, 0.0, "constant"
        )
    share = float(np.max(dev * dev)) / ss
    if n < 30 or share > SHARE_MARGIN * 2 * math.log(n) / n:
        reason = (
            f"tails too heavy to judge with {n} samples (one sample carries {100 * share:.0f} % "
            "of the variance)"
            if n >= 30
            else f"too few samples ({n})"
        )
        return MeanVerdict(
            True, False, float(x.mean()), expected, math.nan, crit, alpha, n, min_bias, reason
        )
    out = stats.skew_corrected_mean_test(x, expected, alpha=alpha, what="mean")
    return MeanVerdict(
        out.passed, True, out.estimate, expected, out.statistic, out.critical, alpha, n, min_bias
    )
