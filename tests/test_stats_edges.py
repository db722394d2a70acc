"""Edges of `rtverify.stats` the calibration tests do not reach: non-finite data, and the
deterministic pieces of the robust, goodness-of-fit and paired tests checked against their
closed forms (each assertion here is exact: no draw can make it fail)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rtverify import stats


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("sd", [None, 1.0])
def test_a_non_finite_sample_never_passes_a_mean_test(bad, sd):
    x = [0.1, -0.2, 0.05, bad, 0.3, -0.1]
    out = stats.mean_test(x, 0.0, sd=sd, alpha=0.05)
    assert not out.passed and not math.isfinite(out.statistic)


def _reflected(x, expected):
    return 2.0 * expected - np.asarray(x)


def test_the_robust_mean_test_judges_a_bias_below_as_it_judges_one_above():
    # reflecting the sample about the expected value negates t and the skewness, so Hall's
    # statistic changes sign and the margin (in γ², |κ|) and the Hill gate (tails swapped) stay:
    # the verdict is the same — an exact identity, whatever the draws. The sample sits ~10
    # standard errors below the expected value, so a test judging one side only would differ.
    x = stats.rng("robust symmetry").exponential(1.0, 2000)
    expected = 1.0 + 10.0 / math.sqrt(2000)
    below = stats.robust_mean_test(x, expected, alpha=1e-6)
    above = stats.robust_mean_test(_reflected(x, expected), expected, alpha=1e-6)
    assert below.statistic == pytest.approx(-above.statistic, rel=1e-9)
    assert below.threshold == pytest.approx(above.threshold, rel=1e-9)
    assert below.status == above.status and not below.not_judged


def test_the_location_test_judges_a_shift_below_as_it_judges_one_above():
    x = stats.rng("location symmetry").standard_normal(400) + 0.5  # √n·mean ≈ 10
    up = stats.normal_location_test(x, alpha=1e-6)
    down = stats.normal_location_test(-x, alpha=1e-6)
    assert down.statistic == pytest.approx(-up.statistic, rel=1e-12)
    assert down.status == up.status


@pytest.mark.parametrize("shift", [-0.01, 0.01])
def test_an_additive_bias_of_either_sign_is_a_certain_paired_failure(shift):
    ref = stats.rng("paired sign").standard_normal((50, 64))
    verdict = stats.paired_test(ref + shift, ref, alpha=1e-9)
    assert verdict.failed and verdict.law == "certain" and "additive bias" in verdict.reason


def test_a_relative_error_of_1e_8_is_not_taken_for_rounding():
    # identity means a few ulp (IDENTITY_RTOL = 1e-12); 1e-8 relative is ~10⁸ ulp
    ref = stats.rng("paired identity").standard_normal((50, 64))
    verdict = stats.paired_test(ref * (1.0 + 1e-8), ref, alpha=1e-9)
    assert "sample by sample" not in verdict.reason


def test_skewness_the_normal_approximation_cannot_absorb_is_declined_not_judged():
    # u⁶ on a grid of 100 points: bounded (light tails, the Hill gate passes), skewness 1.9,
    # excess kurtosis 2.7: at α = 1e-12 the Edgeworth margin 1 + z⁴(|κ| + γ²)/n is ≈ 160, above
    # MAX_MARGIN = 100 — the test cannot state its level, so it must decline (no draw involved)
    x = np.linspace(0.0, 1.0, 100) ** 6
    verdict = stats.robust_mean_test(x, float(np.mean(x)), alpha=1e-12)
    assert verdict.not_judged and "normal approximation needs n ≥" in verdict.reason


def test_tied_tails_never_pass_on_an_undefined_statistic():
    # three-point data: the Hill estimate of each tail is 1/0 and the tail allowance undefined;
    # a mean 6.5 standard errors away must not pass (declining is honest, a NaN statistic
    # compared with a threshold is not a verdict)
    x = np.array([-1.0] * 30 + [0.0] * 40 + [1.0] * 30)
    verdict = stats.robust_mean_test(x, 0.5, alpha=1e-6)
    assert not verdict.passed
    assert verdict.not_judged or math.isfinite(verdict.statistic)
