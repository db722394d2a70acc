"""Calibrated statistical tests for Monte Carlo assertions and for ``rtverify check``.

Every Monte Carlo assertion in rtverify is one of these tests, with a stated false-alarm
probability α (the probability that a *correct* estimator fails it) and a power statement: the
smallest discrepancy it detects with a stated false-pass rate β at its n.

The suite's budget (written down here, enforced by ``tests/conftest.py``): at most
:data:`SUITE_FALSE_FAILURE_BUDGET` = 1e-6 probability that a full default run fails by chance.
Each statistical assertion uses α = :data:`ASSERTION_ALPHA` = 1e-9 and a run may make at most
:data:`MAX_ASSERTIONS` = 1000 of them, so by the union bound P(any false failure) ≤ 1e-6.
(The ``thorough`` Hypothesis profile makes more assertions; its bound is reported at the end of
the run: ≤ count × 1e-9.)

Modules (all re-exported here):

- :mod:`rtverify.stats._core`: seeds (:func:`rng`), z-tests on means and variances
  (:class:`TestOutcome`), sample sizes n = ⌈((z_{α/2} + z_β) σ / δ)²⌉ and their inverse.
- :mod:`rtverify.stats.gof`: N(0, 1) goodness of fit (DKWM bound; exact mean and χ² tests).
- :mod:`rtverify.stats.independence`: identical slices (a bound) and correlation (exact t).
- :mod:`rtverify.stats.robust`: a mean test calibrated under heavy tails, or "not judged".
- :mod:`rtverify.stats.paired`: IMPL against the reference estimator on the same noise.

The new tests return a :class:`Verdict` (pass / fail / not judged, α, β, detectable).
"""

from __future__ import annotations

from rtverify.stats._core import (
    ASSERTION_ALPHA,
    DEFAULT_POWER,
    MAX_ASSERTIONS,
    SUITE_FALSE_FAILURE_BUDGET,
    TestOutcome,
    ledger,
    mean_test,
    min_detectable_bias,
    rng,
    sample_size_for_mean,
    seed_for,
    skew_corrected_mean_test,
    variance_test,
    z_critical,
)
from rtverify.stats._verdict import FAIL, NOT_JUDGED, PASS, Verdict
from rtverify.stats.gof import (
    dkwm_threshold,
    ks_dkwm_test,
    ks_min_discrepancy,
    ks_min_samples,
    ks_statistic,
    normal_location_test,
    normal_scale_test,
    standard_normal_tests,
)
from rtverify.stats.independence import (
    correlation_test,
    identical_slices_test,
    independence_tests,
    tie_probability,
)
from rtverify.stats.paired import IDENTITY_RTOL, paired_test
from rtverify.stats.robust import (
    edgeworth_margin,
    hall_statistic,
    hill_tail_index,
    robust_decisions,
    robust_mean_test,
)

__all__ = [
    "ASSERTION_ALPHA",
    "DEFAULT_POWER",
    "FAIL",
    "IDENTITY_RTOL",
    "MAX_ASSERTIONS",
    "NOT_JUDGED",
    "PASS",
    "SUITE_FALSE_FAILURE_BUDGET",
    "TestOutcome",
    "Verdict",
    "correlation_test",
    "dkwm_threshold",
    "edgeworth_margin",
    "hall_statistic",
    "hill_tail_index",
    "identical_slices_test",
    "independence_tests",
    "ks_dkwm_test",
    "ks_min_discrepancy",
    "ks_min_samples",
    "ks_statistic",
    "ledger",
    "mean_test",
    "min_detectable_bias",
    "normal_location_test",
    "normal_scale_test",
    "paired_test",
    "rng",
    "robust_decisions",
    "robust_mean_test",
    "sample_size_for_mean",
    "seed_for",
    "skew_corrected_mean_test",
    "standard_normal_tests",
    "tie_probability",
    "variance_test",
    "z_critical",
]
