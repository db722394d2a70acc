"""The core of `rtverify.stats` tested against independent closed forms: each test here kills a
mutant that once survived the whole suite (ddof, α, power term, Var(s²) sign, ledger)."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from _stats_helpers import binomial_upper
from scipy.stats import norm

from rtverify import stats

SAMPLE = [0.3, -1.2, 2.5, 0.7, 1.1, -0.4, 0.0, 3.2]


def test_the_sample_variance_is_the_unbiased_one():
    out = stats.variance_test(SAMPLE, 1.0, alpha=0.05)
    assert out.estimate == pytest.approx(statistics.variance(SAMPLE), rel=1e-14)


def test_the_studentised_mean_test_uses_the_unbiased_standard_deviation():
    out = stats.mean_test(SAMPLE, 0.0, alpha=0.05)
    se = statistics.stdev(SAMPLE) / math.sqrt(len(SAMPLE))
    assert out.statistic == pytest.approx(statistics.fmean(SAMPLE) / se, rel=1e-14)
    skew = stats.skew_corrected_mean_test(np.concatenate([SAMPLE, -np.array(SAMPLE)]), 0.1)
    x = np.concatenate([SAMPLE, -np.array(SAMPLE)])  # skewness 0: plain studentised statistic
    assert skew.statistic == pytest.approx(-0.1 / (statistics.stdev(x) / math.sqrt(16)), 1e-12)


@pytest.mark.parametrize("alpha", [0.05, 1e-3])
def test_each_test_uses_its_own_alpha_not_the_global_one(alpha):
    crit = norm.isf(alpha / 2)
    for out in (
        stats.mean_test(SAMPLE, 0.0, alpha=alpha),
        stats.mean_test(SAMPLE, 0.0, sd=1.0, alpha=alpha),
        stats.skew_corrected_mean_test(SAMPLE, 0.0, alpha=alpha),
        stats.variance_test(SAMPLE, 1.0, alpha=alpha),
    ):
        assert out.alpha == alpha
        assert out.critical == pytest.approx(crit, rel=1e-12)
    x = 1.5 * stats.rng("own alpha").standard_normal(30)  # |z| between the two criticals
    z = stats.mean_test(x, 0.0, sd=1.0, alpha=0.05).statistic
    assert (abs(z) > crit) == (not stats.mean_test(x, 0.0, sd=1.0, alpha=alpha).passed)


def test_the_sample_size_has_the_power_term():
    alpha, power, sd, delta = 0.05, 0.9, 2.0, 0.1
    exact = math.ceil(((norm.isf(alpha / 2) + norm.ppf(power)) * sd / delta) ** 2)
    assert stats.sample_size_for_mean(sd, delta, alpha=alpha, power=power) == exact == 4203
    assert stats.min_detectable_bias(sd, exact, alpha=alpha, power=power) <= delta
    assert stats.min_detectable_bias(sd, exact - 1, alpha=alpha, power=power) > delta


def test_the_sample_size_gives_the_stated_power():
    """Simulated: the z-test at n = sample_size_for_mean detects δ in ≥ 90 % of seeds."""
    alpha, power, delta, reps = 1e-3, 0.9, 0.25, 2000
    n = stats.sample_size_for_mean(1.0, delta, alpha=alpha, power=power)
    means = stats.rng("power").standard_normal((reps, n)).mean(axis=1) + delta
    missed = int(np.sum(np.abs(means) * math.sqrt(n) <= norm.isf(alpha / 2)))
    assert missed <= binomial_upper(reps, 1 - power)
    assert missed >= reps * (1 - power) / 3  # the formula is not grossly oversized either


def test_the_variance_of_the_sample_variance_is_exact_for_normal_draws():
    """With μ₄ = 3σ⁴, Var(s²) = (μ₄ − σ⁴(n − 3)/(n − 1))/n = 2σ⁴/(n − 1) exactly."""
    x = stats.rng("var s2").normal(0.0, 2.0, size=51)
    out = stats.variance_test(x, 4.0, mu4=3 * 16.0, alpha=0.05)
    assert out.statistic == pytest.approx((np.var(x, ddof=1) - 4.0) / math.sqrt(2 * 16 / 50))


def test_the_variance_test_holds_its_level_on_normal_samples():
    alpha, reps = 0.01, 4000
    data = stats.rng("variance level").standard_normal((reps, 200))
    rejected = sum(not stats.variance_test(row, 1.0, mu4=3.0, alpha=alpha).passed for row in data)
    assert rejected <= binomial_upper(reps, alpha)
    assert rejected >= reps * alpha / 4  # it can reject at all


@pytest.fixture
def saved_ledger():
    """The ledger as it was before the test (this test's own α must not count in the budget)."""
    count, total = stats.ledger.count, stats.ledger.alpha_total
    yield count, total
    stats.ledger.count, stats.ledger.alpha_total = count, total


def test_every_checked_assertion_is_recorded_in_the_ledger(saved_ledger):
    count, total = saved_ledger
    stats.mean_test(SAMPLE, statistics.fmean(SAMPLE), alpha=1e-3).check()
    assert stats.ledger.count == count + 1
    assert stats.ledger.alpha_total == pytest.approx(total + 1e-3)
    with pytest.raises(AssertionError):
        stats.mean_test(SAMPLE, 100.0, sd=1.0, alpha=1e-3).check()
    assert stats.ledger.count == count + 2
    verdict = stats.normal_location_test(np.zeros(10), alpha=1e-4)
    verdict.check()
    assert stats.ledger.count == count + 3
    assert stats.ledger.alpha_total == pytest.approx(total + 2e-3 + 1e-4)


def test_bad_arguments_are_rejected_with_a_message():
    with pytest.raises(ValueError, match="alpha"):
        stats.z_critical(1.5)
    with pytest.raises(ValueError, match="sd"):
        stats.min_detectable_bias(-1.0, 10)
    with pytest.raises(ValueError, match="need sd"):
        stats.sample_size_for_mean(1.0, 0.0)
