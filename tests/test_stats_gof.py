"""Goodness of fit to N(0, 1) and independence (`rtverify.stats.gof`, `.independence`): exact
nulls against scipy, null calibration over seeds, power against planted discrepancies, edges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _budget import expect_failed
from _stats_helpers import binomial_lower, binomial_upper
from scipy import stats as sps

from rtverify import stats

ALPHA = 0.05  # an observable level for the calibration runs
REPS = 2000


def test_the_ks_statistic_equals_scipys():
    x = stats.rng("ks scipy").standard_normal(257)
    assert stats.ks_statistic(x) == pytest.approx(sps.kstest(x, "norm").statistic, rel=1e-12)


def test_the_dkwm_threshold_and_its_power_statement_follow_the_formulas():
    n, alpha, beta = 1000, 1e-3, 1e-2
    assert stats.dkwm_threshold(n, alpha) == pytest.approx(math.sqrt(math.log(2000) / 2000))
    delta = stats.ks_min_discrepancy(n, alpha, beta)
    assert delta == pytest.approx(
        math.sqrt(math.log(2000) / 2000) + math.sqrt(math.log(100) / 2000)
    )
    m = stats.ks_min_samples(delta, alpha, beta)
    assert m in (n, n + 1) and stats.ks_min_discrepancy(m, alpha, beta) <= delta


def test_the_dkwm_test_never_fails_more_often_than_alpha():
    data = stats.rng("dkwm null").standard_normal((REPS, 200))
    failed = sum(stats.ks_dkwm_test(row, alpha=ALPHA).failed for row in data)
    assert failed <= binomial_upper(REPS, ALPHA)


def test_the_dkwm_test_detects_its_stated_discrepancy():
    """A shift δ has sup |F − Φ| = 2Φ(δ/2) − 1; at the stated minimum it fails with
    probability ≥ 1 − β (a bound, so in practice always)."""
    n, alpha, beta, reps = 2000, 1e-3, 1e-2, 200
    delta = stats.ks_min_discrepancy(n, alpha, beta)
    shift = 2 * sps.norm.ppf((1 + delta) / 2)
    data = stats.rng("dkwm power").standard_normal((reps, n)) + shift
    passed = sum(stats.ks_dkwm_test(row, alpha=alpha, false_pass=beta).passed for row in data)
    assert passed <= binomial_upper(reps, beta)


@pytest.mark.parametrize("test", [stats.normal_location_test, stats.normal_scale_test])
def test_the_exact_tests_reject_at_exactly_alpha(test):
    data = stats.rng("exact null", test.__name__).standard_normal((REPS * 2, 50))
    failed = sum(test(row, alpha=ALPHA).failed for row in data)
    assert binomial_lower(REPS * 2, ALPHA) <= failed <= binomial_upper(REPS * 2, ALPHA)


def test_the_exact_tests_thresholds_are_the_normal_and_chi2_quantiles():
    x = stats.rng("quantiles").standard_normal(40)
    loc = stats.normal_location_test(x, alpha=1e-3)
    assert loc.threshold == pytest.approx(sps.norm.isf(5e-4), rel=1e-12)
    assert loc.statistic == pytest.approx(math.sqrt(40) * x.mean())
    scale = stats.normal_scale_test(x, alpha=1e-3)
    assert scale.statistic == pytest.approx(np.sum(x * x))
    band = (sps.chi2.ppf(5e-4, 40), sps.chi2.isf(5e-4, 40))
    assert scale.threshold == pytest.approx(band[1] if scale.statistic > 40 else band[0])


def test_the_scale_test_detects_its_stated_scale_error():
    n, alpha, beta, reps = 500, 1e-3, 1e-2, 300
    err = stats.normal_scale_test(np.ones(n), alpha=alpha, false_pass=beta).detectable
    data = stats.rng("scale power").standard_normal((reps, n)) * (1 + err)
    passed = sum(stats.normal_scale_test(row, alpha=alpha, false_pass=beta).passed for row in data)
    assert passed <= binomial_upper(reps, beta)


def test_a_sampler_with_the_wrong_scale_fails_and_a_correct_one_passes():
    n, alpha = 20_000, stats.ASSERTION_ALPHA
    x = stats.rng("sampler").standard_normal(n)
    for verdict in stats.standard_normal_tests(x, alpha=alpha):
        verdict.check()
    wrong = x * math.sqrt(2)  # logvar used as log σ
    ks, location, scale = stats.standard_normal_tests(wrong, alpha=alpha)
    assert all(v.alpha == pytest.approx(alpha / 3) for v in (ks, location, scale))
    location.check()  # the mean is still 0
    # N(0, 2) against Φ: sup |Φ(x/√2) − Φ(x)| is at x² = 2 log 2, D ≈ 0.083; the KS test passes
    # only if sup |F_n − F| ≥ D − threshold, probability ≤ 2 exp(−2n(D − threshold)²) (DKWM)
    at = math.sqrt(2 * math.log(2))
    sup = sps.norm.cdf(at) - sps.norm.cdf(at / math.sqrt(2))
    expect_failed(ks, 2 * math.exp(-2 * n * max(sup - ks.threshold, 0.0) ** 2))
    # Σ (√2 x)² = 2 χ²_n exactly: the scale test passes iff its χ² band holds 2 χ²_n
    lo, hi = sps.chi2.ppf(alpha / 6, n), sps.chi2.isf(alpha / 6, n)
    expect_failed(scale, sps.chi2.cdf(hi / 2, n) - sps.chi2.cdf(lo / 2, n))


@pytest.mark.parametrize(
    "bad, why",
    [
        ([], "too few"),
        ([0.1, np.nan, 0.2], "not finite"),
        (["a", "b"], "not real"),
        ([1 + 2j], "complex"),
    ],
    ids=["empty", "nan", "strings", "complex"],
)
def test_bad_input_is_not_judged_with_a_reason(bad, why):
    for verdict in stats.standard_normal_tests(bad, alpha=1e-3):
        assert verdict.not_judged and why in verdict.reason
        assert why in verdict.describe()


def test_too_few_draws_for_the_dkwm_bound_are_not_judged():
    verdict = stats.ks_dkwm_test(np.zeros(3), alpha=1e-6)
    assert verdict.not_judged and "too few" in verdict.reason


# --- independence ---------------------------------------------------------------------------


def test_the_correlation_test_matches_scipys_pearson_test():
    x, y = stats.rng("pearson").standard_normal((2, 300))
    y = y + 0.2 * x
    verdict = stats.correlation_test(x, y, alpha=1e-3)
    res = sps.pearsonr(x, y)
    assert verdict.statistic == pytest.approx(res.statistic, rel=1e-12)
    assert verdict.failed == (res.pvalue < 1e-3)
    r = verdict.threshold  # the critical r has p-value exactly α
    t = r * math.sqrt(298 / (1 - r * r))
    assert 2 * sps.t.sf(t, 298) == pytest.approx(1e-3, rel=1e-9)


def test_the_correlation_test_rejects_at_exactly_alpha():
    data = stats.rng("corr null").standard_normal((REPS * 2, 2, 30))
    failed = sum(stats.correlation_test(a, b, alpha=ALPHA).failed for a, b in data)
    assert binomial_lower(REPS * 2, ALPHA) <= failed <= binomial_upper(REPS * 2, ALPHA)


def test_the_correlation_test_detects_its_stated_correlation():
    n, alpha, beta, reps = 400, 1e-3, 1e-2, 300
    rho = stats.correlation_test(*np.eye(2, n), alpha=alpha, false_pass=beta).detectable
    gen = stats.rng("corr power")
    a, b = gen.standard_normal((2, reps, n))
    b = rho * a + math.sqrt(1 - rho * rho) * b
    passed = sum(
        stats.correlation_test(u, v, alpha=alpha, false_pass=beta).passed
        for u, v in zip(a, b, strict=True)
    )
    assert passed <= binomial_upper(reps, 2 * beta)  # Fisher's z is asymptotic: 2β allowed


def test_independent_draws_pass_all_six_independence_tests():
    z = stats.rng("independent").standard_normal((100, 32, 6))
    verdicts = stats.independence_tests(z, alpha=stats.ASSERTION_ALPHA)
    assert len(verdicts) == 6
    for verdict in verdicts:
        verdict.check()


@pytest.mark.parametrize(
    "share, failing",
    [("rows", {0, 3}), ("positions", {1, 4}), ("calls", {2, 5})],
)
def test_noise_shared_across_an_axis_is_a_certain_failure(share, failing):
    z = stats.rng("shared", share).standard_normal((40, 16, 4))
    if share == "rows":
        z[:, 1:, :] = z[:, :1, :]
    elif share == "positions":
        z[:, :, 1:] = z[:, :, :1]
    else:
        z[1:] = z[:1]
    verdicts = stats.independence_tests(z, alpha=1e-6)
    assert {i for i, v in enumerate(verdicts) if v.failed} >= failing
    assert "identical" in verdicts[min(failing)].reason


def test_float32_draws_do_not_tie_by_chance_at_the_stated_rate():
    """float32 rounding makes equal values likely among many single values (D = 1): the
    Markov bound with the float32 tie probability keeps a correct sampler passing."""
    z = stats.rng("float32").standard_normal((50, 4000, 1)).astype(np.float32)
    p = stats.tie_probability(np.float32)
    assert p == pytest.approx(0.25 * np.finfo(np.float32).eps)
    alpha = stats.ASSERTION_ALPHA
    verdicts = stats.independence_tests(z, alpha=alpha, tie_prob=p)
    assert verdicts[0].check().statistic > 0  # ties exist, below the bound
    pairs = 50 * 4000 * 3999 // 2
    assert verdicts[0].threshold == math.ceil(pairs * p / (alpha / 6))  # Markov: k = E0/α
    shared = z.copy()
    shared[:, 1:] = shared[:, :1]  # every pair of a call tied: certain, not a chance event
    # (at α = 1e-6: below α = 6p ≈ 1.8e-7 the Markov threshold exceeds the number of pairs)
    assert stats.independence_tests(shared, alpha=1e-6, tie_prob=p)[0].failed


def test_independence_with_one_row_position_or_call_is_not_judged():
    verdicts = stats.independence_tests(np.zeros((1, 1, 1)) + 0.5, alpha=1e-3)
    assert all(v.not_judged for v in verdicts)
    assert stats.independence_tests(np.ones(5), alpha=1e-3)[0].reason.startswith("need shape")
    nan = stats.independence_tests(np.full((2, 2, 2), np.nan), alpha=1e-3)
    assert all("not finite" in v.reason for v in nan)
