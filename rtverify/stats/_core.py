"""The core of :mod:`rtverify.stats`: the suite's budget, seeds, z-tests, sample sizes.

Every Monte Carlo assertion in rtverify is one of these tests, with a stated false-alarm
probability α (the probability that a *correct* estimator fails it) and, where an exact variance
is known, a sample size chosen for a stated power against a stated effect.

The suite's budget (written down here, enforced by ``tests/conftest.py``): at most
:data:`SUITE_FALSE_FAILURE_BUDGET` = 1e-6 probability that a full default run fails by chance.
Each statistical assertion uses α = :data:`ASSERTION_ALPHA` = 1e-9 and a run may make at most
:data:`MAX_ASSERTIONS` = 1000 of them, so by the union bound P(any false failure) ≤ 1e-6.
(The ``thorough`` Hypothesis profile makes more assertions; its bound is reported at the end of
the run: ≤ count × 1e-9.)

The tests are z-tests on means (and on sample variances, with the exact fourth central moment
where it is known): their α is exact asymptotically (central limit theorem) for the sample
sizes used (n ≥ 10⁴ draws, or ≥ 10³ call means). All randomness flows from explicit seeds
(:func:`rng`), so a run repeats exactly: a test either always passes or always fails.

Sample size (two-sided, exact σ known): n = ⌈((z_{α/2} + z_β) σ / δ)²⌉ detects a bias δ with
power 1 − β (e.g. Pyro/TFP practice; see ``STYLE.md``).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "ASSERTION_ALPHA",
    "DEFAULT_POWER",
    "MAX_ASSERTIONS",
    "SUITE_FALSE_FAILURE_BUDGET",
    "TestOutcome",
    "ledger",
    "mean_test",
    "min_detectable_bias",
    "rng",
    "sample_size_for_mean",
    "seed_for",
    "skew_corrected_mean_test",
    "variance_test",
    "z_critical",
]

_NORMAL = NormalDist()

#: Probability that a full default test run fails although everything is correct.
SUITE_FALSE_FAILURE_BUDGET = 1e-6
#: Most statistical assertions one default run may make (enforced at the end of the session).
MAX_ASSERTIONS = 1000
#: False-alarm probability of each statistical assertion: budget / max count.
ASSERTION_ALPHA = SUITE_FALSE_FAILURE_BUDGET / MAX_ASSERTIONS
#: Power the sample sizes are chosen for, against the effect each test names.
DEFAULT_POWER = 0.999


class _Ledger:
    """Counts the statistical assertions made in this process (for the budget report)."""

    def __init__(self) -> None:
        self.count = 0
        self.alpha_total = 0.0

    def record(self, alpha: float) -> None:
        self.count += 1
        self.alpha_total += float(alpha)  # a plain float: pytest-xdist sends it to the controller


ledger = _Ledger()


def seed_for(*parts: object) -> int:
    """A reproducible 64-bit seed from any reprs (e.g. a test's name and its parameters)."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def rng(*parts: object) -> np.random.Generator:
    """A NumPy ``Generator`` seeded by :func:`seed_for` ``(*parts)``."""
    return np.random.default_rng(seed_for(*parts))


def z_critical(alpha: float, two_sided: bool = True) -> float:
    """The standard normal quantile z with P(|Z| > z) = α (or P(Z > z) = α one-sided)."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), not {alpha}")
    tail = alpha / 2 if two_sided else alpha
    return -_NORMAL.inv_cdf(tail)  # Wichura's AS 241: ~1e-16 relative accuracy


def sample_size_for_mean(
    sd: float, delta: float, alpha: float = ASSERTION_ALPHA, power: float = DEFAULT_POWER
) -> int:
    """n = ⌈((z_{α/2} + z_β) σ / δ)²⌉: draws for a two-sided z-test of level α to detect a
    bias of size δ with probability ``power``, when one draw has standard deviation ``sd``."""
    if sd < 0 or delta <= 0:
        raise ValueError("need sd >= 0 and delta > 0")
    z = z_critical(alpha) + _NORMAL.inv_cdf(power)
    return max(2, math.ceil((z * sd / delta) ** 2))


def min_detectable_bias(
    sd: float, n: int, alpha: float = ASSERTION_ALPHA, power: float = DEFAULT_POWER
) -> float:
    """δ = (z_{α/2} + z_β) σ / √n: the smallest bias a two-sided level-α z-test on the mean of
    n draws (one draw has standard deviation ``sd``) detects with probability ≥ ``power``.

    The inverse of :func:`sample_size_for_mean` (exact for normal means with σ known; for a
    studentised test it is the first-order, asymptotic statement)."""
    if not (sd >= 0 and math.isfinite(sd)) or n < 1 or not 0.0 < power < 1.0:
        raise ValueError(f"need finite sd >= 0, n >= 1 and power in (0, 1); got {sd}, {n}, {power}")
    return (z_critical(alpha) + _NORMAL.inv_cdf(power)) * sd / math.sqrt(n)


@dataclass(frozen=True)
class TestOutcome:
    """The result of one calibrated test."""

    __test__ = False  # not a pytest test class

    passed: bool
    statistic: float  # the z statistic
    critical: float  # reject when |statistic| > critical
    alpha: float
    estimate: float
    expected: float
    n: int
    what: str

    def __str__(self) -> str:
        verdict = "ok" if self.passed else "REJECTED"
        return (
            f"{self.what}: estimate {self.estimate:.6g} vs expected {self.expected:.6g} "
            f"(n = {self.n}, z = {self.statistic:.2f}, critical {self.critical:.2f}, "
            f"alpha = {self.alpha:.1e}): {verdict}"
        )

    def check(self) -> TestOutcome:
        """Record the assertion in the ledger and raise ``AssertionError`` if it failed."""
        ledger.record(self.alpha)
        if not self.passed:
            raise AssertionError(str(self))
        return self


def _z_outcome(estimate, expected, se, n, alpha, what) -> TestOutcome:
    crit = z_critical(alpha)
    if se == 0.0 or not math.isfinite(se):
        passed = bool(estimate == expected) if se == 0.0 else False
        z = 0.0 if passed else math.inf
    else:
        z = (estimate - expected) / se
        passed = bool(abs(z) <= crit)
    return TestOutcome(passed, float(z), crit, alpha, float(estimate), float(expected), n, what)


def _samples(samples: ArrayLike, minimum: int) -> tuple[np.ndarray, int]:
    """The samples as a flat float64 array and their number (at least ``minimum``)."""
    x = np.asarray(samples, dtype=np.float64).ravel()
    if x.size < minimum:
        raise ValueError(f"need at least {minimum} samples, got {x.size}")
    return x, x.size


def mean_test(
    samples: ArrayLike,
    expected: float,
    *,
    sd: float | None = None,
    alpha: float = ASSERTION_ALPHA,
    what: str = "mean",
) -> TestOutcome:
    """Two-sided z-test of E[X] = ``expected`` from i.i.d. ``samples``.

    With ``sd`` (the exact standard deviation of one sample, derived symbolically) the test is a
    z-test; without it the sample standard deviation is used (studentised; n must be large).
    """
    x, n = _samples(samples, 2)
    mean = float(np.mean(x))
    if not math.isfinite(mean):
        return TestOutcome(False, math.inf, z_critical(alpha), alpha, mean, expected, n, what)
    s = float(sd) if sd is not None else float(np.std(x, ddof=1))
    return _z_outcome(mean, expected, s / math.sqrt(n), n, alpha, what)


def skew_corrected_mean_test(
    samples: ArrayLike,
    expected: float,
    *,
    alpha: float = ASSERTION_ALPHA,
    what: str = "mean",
) -> TestOutcome:
    """Two-sided studentised test of E[X] = ``expected`` corrected for the skewness of X.

    Hall's (1992) monotone transformation of the t statistic removes its O(n^{-1/2}) skewness
    term (Hall, "On the removal of skewness by transformation", JRSS B 54, 221-228; the
    quadratic part is Johnson's 1978 modified t):

    .. math:: T = \\sqrt n\\,\\big(S + \\hat\\gamma S^2/3 + \\hat\\gamma^2 S^3/27
        + \\hat\\gamma/(6n)\\big), \\qquad S = (\\bar x - \\mu)/s,\\;
        \\hat\\gamma = \\hat\\mu_3 / s^3

    Use it instead of :func:`mean_test` without ``sd`` when the samples are skewed and α is
    small: there the plain studentised z-test's tails are too heavy. Measured in
    ``benchmarks/check_false_alarm.py --only calibration`` (1000 and 400 call means of a
    baselined score estimator, 192 000 tests): beyond |z| = 4.42 (nominal 1e-5) the plain test
    rejects up to 16× too often, this one 2.6× overall (5 rejections where 1.9 were due); an
    O(1/n) error remains (exponential samples, n = 100, α = 0.01: 1.2 % against 2.0 % plain).
    """
    x, n = _samples(samples, 3)
    crit = z_critical(alpha)
    mean, s = float(np.mean(x)), float(np.std(x, ddof=1))
    if not (math.isfinite(mean) and math.isfinite(s)) or s == 0.0:
        passed = bool(mean == expected)
        return TestOutcome(
            passed, 0.0 if passed else math.inf, crit, alpha, mean, expected, n, what
        )
    gamma = float(np.mean((x - mean) ** 3)) / s**3
    t = (mean - expected) / s
    stat = math.sqrt(n) * (t + gamma * t * t / 3 + gamma * gamma * t**3 / 27 + gamma / (6 * n))
    return TestOutcome(bool(abs(stat) <= crit), stat, crit, alpha, mean, expected, n, what)


def variance_test(
    samples: ArrayLike,
    expected_var: float,
    *,
    mu4: float | None = None,
    alpha: float = ASSERTION_ALPHA,
    what: str = "variance",
) -> TestOutcome:
    """Two-sided z-test of Var[X] = ``expected_var`` from i.i.d. ``samples``.

    Uses Var(s²) = (μ₄ − σ⁴ (n − 3)/(n − 1)) / n with the exact fourth central moment ``mu4``
    when given, else the sample fourth central moment.
    """
    x, n = _samples(samples, 4)
    s2 = float(np.var(x, ddof=1))
    if mu4 is None:
        c = x - np.mean(x)
        mu4 = float(np.mean(c**4))
        sigma4 = s2 * s2
    else:
        sigma4 = expected_var * expected_var
    var_s2 = (mu4 - sigma4 * (n - 3) / (n - 1)) / n
    se = math.sqrt(var_s2) if var_s2 > 0 else 0.0
    return _z_outcome(s2, expected_var, se, n, alpha, what)
