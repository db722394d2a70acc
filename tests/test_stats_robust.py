"""The heavy-tail mean test and the paired test (`rtverify.stats.robust`, `.paired`): its level
on correct heavy-tailed samples (or it declines), power against planted biases, certain
verdicts, edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _budget import expect_failed, false_pass_probability
from _stats_helpers import binomial_upper

from rtverify import estimators, stats
from rtverify import testfunctions as T

LEVEL = 0.01  # observable; the stated rates of rtverify check are far smaller
REPS = 2000


def _importance_weights(gen, shape, c):
    """w = N(x; 0, 1)/N(x; 0, c²), x ∼ N(0, c²): mean 1; infinite variance when c ≤ 1/√2."""
    x = c * gen.standard_normal(shape)
    return c * np.exp(x * x * (1 / c**2 - 1) / 2)


HEAVY = {
    "importance weights, c = 0.6": (lambda g, s: _importance_weights(g, s, 0.6), 1.0),
    "importance weights, c² = 0.6": (
        lambda g, s: _importance_weights(g, s, math.sqrt(0.6)),
        1.0,
    ),
    "zero-mean lognormal noise": (
        lambda g, s: g.standard_normal(s) + np.exp(g.standard_normal(s)) - math.exp(0.5),
        0.0,
    ),
    "student t(3)": (lambda g, s: g.standard_t(3, s), 0.0),
    "exponential": (lambda g, s: g.exponential(1.0, s), 1.0),
}


@pytest.mark.parametrize("law", sorted(HEAVY))
def test_correct_heavy_tailed_samples_fail_at_most_at_the_stated_rate(law):
    draw, mean = HEAVY[law]
    data = draw(stats.rng("heavy", law), (REPS, 400))
    verdicts = [stats.robust_mean_test(row, mean, alpha=LEVEL) for row in data]
    assert sum(v.failed for v in verdicts) <= binomial_upper(REPS, LEVEL)
    for v in verdicts:
        assert v.not_judged or v.reason.startswith("mean")
        if v.not_judged:
            assert "tails too heavy to judge with 400 samples" in v.reason


def test_infinite_variance_importance_weights_are_not_judged_rather_than_biased():
    w = _importance_weights(stats.rng("is weights"), 100_000, 0.6)
    verdict = stats.robust_mean_test(w, 1.0, alpha=1e-6)
    assert verdict.not_judged and "tails too heavy" in verdict.reason


def test_a_tail_index_below_three_is_not_judged_by_the_hill_gate():
    x = stats.rng("t 2.5").standard_t(2.5, 100_000)  # finite variance, infinite third moment
    verdict = stats.robust_mean_test(x, 0.0, alpha=1e-6)
    assert verdict.not_judged and "Hill tail index" in verdict.reason


def test_the_level_holds_on_normal_samples_and_it_rarely_declines():
    data = stats.rng("robust normal").standard_normal((REPS, 400))
    verdicts = [stats.robust_mean_test(row, 0.0, alpha=LEVEL) for row in data]
    assert sum(v.failed for v in verdicts) <= binomial_upper(REPS, LEVEL)
    assert sum(v.not_judged for v in verdicts) <= REPS * 0.02


def test_it_detects_its_stated_bias():
    n, alpha, beta, reps = 1000, 1e-4, 1e-2, 300
    gen = stats.rng("robust power")
    delta = stats.robust_mean_test(gen.exponential(1.0, n), 1.0, alpha=alpha, false_pass=beta)
    data = gen.exponential(1.0, (reps, n)) + 1.2 * delta.detectable
    passed = sum(stats.robust_mean_test(r, 1.0, alpha=alpha, false_pass=beta).passed for r in data)
    assert passed <= binomial_upper(reps, beta)


def test_the_statistic_is_halls_and_the_margin_spends_alpha_over_m():
    x = stats.rng("hall").exponential(1.0, 500)
    verdict = stats.robust_mean_test(x, 1.05, alpha=1e-3)
    old = stats.skew_corrected_mean_test(x, 1.05, alpha=1e-3)
    assert stats.hall_statistic(x, 1.05)[0] == pytest.approx(old.statistic, rel=1e-12)
    upper, lower = stats.hill_tail_index(x)
    med = np.median(x)
    allowance = sum(
        y * y * a / (a - 2) for a, y in ((upper, x.max() - med), (lower, med - x.min()))
    )
    stat, gamma, kappa, s = stats.hall_statistic(x, 1.05, allowance)
    assert verdict.statistic == pytest.approx(stat, rel=1e-12)
    assert s == pytest.approx(np.sqrt((np.sum((x - x.mean()) ** 2) + allowance) / 499))
    assert abs(verdict.statistic) < abs(old.statistic)  # the allowance only widens
    margin = 1 + stats.z_critical(1e-3) ** 4 * (abs(kappa) + gamma**2) / 500
    assert verdict.threshold == pytest.approx(stats.z_critical(1e-3 / margin))
    assert verdict.threshold > old.critical


def test_hill_estimates_the_index_of_a_pareto_tail():
    x = stats.rng("pareto").pareto(2.5, 200_000)  # Lomax: tail index 2.5
    upper, _ = stats.hill_tail_index(np.concatenate([x, -x]))
    assert upper == pytest.approx(2.5, rel=0.15)


@pytest.mark.parametrize(
    "bad, why",
    [(np.r_[np.zeros(60), np.nan], "not finite"), (np.ones(10), "too few"), ("x", "not real")],
    ids=["nan", "short", "string"],
)
def test_bad_samples_are_not_judged_with_a_reason(bad, why):
    verdict = stats.robust_mean_test(bad, 0.0, alpha=1e-3)
    assert verdict.not_judged and why in verdict.describe()


def test_constant_samples_are_certain():
    assert stats.robust_mean_test(np.full(100, 2.0), 2.0, alpha=1e-3).passed
    off = stats.robust_mean_test(np.full(100, 2.0), 2.5, alpha=1e-3)
    assert off.failed and off.law == "certain"


# --- the paired test --------------------------------------------------------------------------

CASE = ("sin(z)", 0.8, 1.5)


def _pair(seed, calls=1000, n=10, component=0):
    tf, mu, sigma = T.get(CASE[0]), CASE[1], CASE[2]
    eps = stats.rng("paired", seed).standard_normal((calls, n))
    ref = estimators.score_samples(tf.f, tf.df, mu, sigma, eps.ravel()).reshape(calls, n, 2)
    return tf, mu, sigma, eps, ref[..., component], tf.grad(mu, sigma)[component]


def test_an_implementation_equal_to_the_reference_passes_with_certainty():
    tf, mu, sigma, eps, ref, _ = _pair("identity")
    impl = (tf.f(mu + sigma * eps) / sigma) * eps  # the same formula, another rounding
    verdict = stats.paired_test(impl, ref, alpha=1e-9)
    assert verdict.passed and verdict.law == "certain" and verdict.detectable == 0.0
    assert "sample by sample" in verdict.reason


def test_an_additive_bias_of_one_percent_is_a_certain_failure():
    *_, ref, g = _pair("shift")
    verdict = stats.paired_test(ref + 0.01 * abs(g), ref, alpha=1e-9, scale=abs(g))
    assert verdict.failed and verdict.law == "certain"
    assert "additive bias" in verdict.reason and "0.01 of |gradient|" in verdict.reason


def test_a_scaled_bias_of_one_percent_is_detected_at_a_small_alpha():
    *_, ref, g = _pair("scaled")
    verdict = stats.paired_test(1.01 * ref, ref, alpha=1e-9, scale=abs(g))
    assert verdict.failed and "of |gradient|" in verdict.reason


def _baseline(seed):
    tf, mu, sigma, eps, ref, _ = _pair(seed, calls=400)
    return ref - tf.mean(mu, sigma) * eps / sigma, ref  # unbiased: E[ε] = 0


def test_a_correct_baseline_estimator_fails_at_most_at_the_stated_rate():
    reps = 1000
    failed = sum(stats.paired_test(*_baseline(s), alpha=LEVEL).failed for s in range(reps))
    assert failed <= binomial_upper(reps, LEVEL)


def test_each_paired_verdict_states_the_bias_it_could_detect():
    impl, ref = _baseline("power statement")
    alpha = stats.ASSERTION_ALPHA
    verdict = stats.paired_test(impl, ref, alpha=alpha, scale=0.2).check()  # unbiased: counted
    assert verdict.detectable > 0
    assert "detects a bias ≥" in verdict.reason and "detects |bias|" in verdict.describe()
    sd = float(np.std((impl - ref).mean(axis=1), ddof=1))
    assert verdict.detectable >= stats.min_detectable_bias(sd, 400, alpha, 1 - 1e-3)


def test_paired_bad_input_is_not_judged():
    ref = np.zeros((5, 3))
    assert "shapes differ" in stats.paired_test(np.zeros((5, 2)), ref, alpha=1e-3).reason
    nan = stats.paired_test(np.full((5, 3), np.nan), ref, alpha=1e-3)
    assert nan.not_judged and "IMPL" in nan.reason and "not finite" in nan.reason


def test_an_implementation_that_permutes_samples_within_a_call_passes_on_its_call_means():
    *_, ref, _ = _pair("permuted", calls=200)
    verdict = stats.paired_test(ref[:, ::-1], ref, alpha=1e-6)
    assert verdict.passed and "each call's mean" in verdict.reason


def test_a_float32_implementation_is_identical_within_a_float32_tolerance():
    *_, ref, _ = _pair("float32", calls=200)
    impl = ref.astype(np.float32)
    assert stats.paired_test(impl, ref, alpha=1e-6).law != "certain"  # float64 rtol: no
    rtol = 4 * float(np.finfo(np.float32).eps)
    verdict = stats.paired_test(impl, ref, alpha=1e-6, rtol=rtol)
    assert verdict.passed and verdict.law == "certain"


def test_a_bias_below_the_negligible_level_is_not_a_failure():
    """D = IMPL − ref = noise + b: the call means of D have sd 1e-3/√10 exactly, so their mean
    has se = 1e-3/√(10·1000) = 1e-5 against biases of ≥ 1e-3·|g| ≈ 30 se. Hall's statistic is
    the studentised one up to O(n^{-1/2}) on these normal call means: z-test power, counted."""
    *_, ref, g = _pair("negligible")
    alpha, tau = stats.ASSERTION_ALPHA, 2e-3 * abs(g)
    noise = stats.rng("negligible noise").standard_normal(ref.shape) * 1e-3
    impl = ref + noise + 1e-3 * abs(g)  # a tiny real bias, far below 1 % of the gradient
    se = 1e-3 / math.sqrt(ref.size)

    def expect_failed_at(verdict, bias):
        expect_failed(verdict, false_pass_probability(bias, se, se, verdict.threshold))

    expect_failed_at(stats.paired_test(impl, ref, alpha=alpha), 1e-3 * abs(g))
    stats.paired_test(impl, ref, alpha=alpha, negligible=tau).check()  # |bias| ≤ τ: may not fail
    far = stats.paired_test(impl + 0.01 * abs(g), ref, alpha=alpha, negligible=tau)
    expect_failed_at(far, 0.011 * abs(g) - tau)  # tested against the nearer end, +τ
