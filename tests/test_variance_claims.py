"""The variance claims of the sources, checked exactly and empirically.

Claims: for f = z², q = N(θ, 1) (notebook 000) the pathwise estimator has variance 4 against the
score estimator's θ⁴ + 14θ² + 15, lower for every θ, and lower than the optimal constant
baseline's 8θ² + 6 too; the claim is not universal (Q&A 002): it flips for exp(−k z²) at
k = 1/(2σ²) (μ = 0) and for cos(k z) above kσ = u_hi; for the step 1[z > 0] the pathwise
estimator is biased. Exact values come from two independent routes (the derivation
``estimator-variance``, checked by the engine, and ``rtverify.moments`` through
``rtverify.testfunctions``); empirical variances are z-tests on s² with the exact fourth central
moment, sized to detect a 10 % variance error with power 0.999 at α = 1e-9.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import sympy as sp
from _budget import expect_rejected, variance_se
from rtverify.derivations import estimator_variance as ev

from rtverify import stats
from rtverify import testfunctions as T
from rtverify.derivation import Status
from rtverify.estimators import pathwise_samples, score_samples
from rtverify.moments import EPS, normal_expectation

#: Relative variance error the empirical variance tests detect with power 0.999.
VARIANCE_EFFECT = 0.10
#: Agreement of two exact float64 routes to the same closed form.
EXACT_RTOL = 1e-10
X2 = T.get("z^2")
_ESTIMATORS = {"score": score_samples, "pathwise": pathwise_samples}


def _variance_outcome(tf, estimator: str, mu, sigma, expected_var=None, *, component=0):
    """z-test of the sample variance of one component against the exact variance."""
    var = getattr(tf, f"{estimator}_variance")(mu, sigma)[component]
    mu4 = getattr(tf, f"{estimator}_mu4")(mu, sigma)[component]
    n = stats.sample_size_for_mean(math.sqrt(mu4 - var * var), VARIANCE_EFFECT * var)
    eps = stats.rng("variance", tf.name, estimator, mu, sigma).standard_normal(n)
    samples = _ESTIMATORS[estimator](tf.f, tf.df, mu, sigma, eps)[:, component]
    expected = var if expected_var is None else expected_var
    return stats.variance_test(
        samples, expected, mu4=mu4, what=f"Var {estimator} {tf.name} at mu={mu}, sigma={sigma}"
    )


def test_the_variance_derivation_rejects_a_wrong_coefficient():
    """Planted: θ⁴ + 14θ² + 15 (the pathwise variance not subtracted) as the difference fails.
    (The shipped derivation is verified in tests/test_derivations.py with all the others.)"""
    d = ev.derivation()
    chain = next(c for c in d.chains if c.title.startswith("The notebook's case"))
    wrong = ev.theta**4 + 14 * ev.theta**2 + 15
    step = dataclasses.replace(chain.steps[0], rhs=wrong)
    planted = dataclasses.replace(d, chains=(dataclasses.replace(chain, steps=(step,)),))
    report = planted.verify()
    assert not report.ok and report.checks[0][0].status is Status.FAILED


def test_x_squared_variances_agree_between_the_derivation_and_the_moments_module():
    exact = ev.x_squared_variances()
    score, path = X2.symbolic("score:var"), X2.symbolic("pathwise:var")
    for got, want in [
        (score[0], exact["score_mu"]),
        (score[1], exact["score_sigma"]),
        (path[0], exact["pathwise_mu"]),
        (path[1], exact["pathwise_sigma"]),
    ]:
        got = got.subs({T.MU: ev.mu, T.SIGMA: ev.sigma})
        assert sp.simplify(got - want) == 0


def test_pathwise_variance_is_lower_on_x_squared_for_every_theta_and_sigma():
    """μ⁴/σ² + 14μ² + 11σ² > 0: SymPy's assumptions (μ real, σ > 0) prove it term by term."""
    v = ev.x_squared_variances()
    difference = sp.expand(v["score_mu"] - v["pathwise_mu"])
    assert difference.is_positive is True
    assert sp.expand(difference.subs({ev.mu: ev.theta, ev.sigma: 1})) == (
        ev.theta**4 + 14 * ev.theta**2 + 11
    )
    # planted: a claim that is false for some θ is not "proved" by the same check
    assert (ev.theta**4 - 14 * ev.theta**2 + 11).is_positive is not True


def test_optimal_constant_baseline_has_variance_8_theta_squared_plus_6():
    """Independently of the derivation: minimise Var[(z² − b)ε] over b with rtverify.moments."""
    theta, b = ev.theta, ev.b
    sample = ((theta + EPS) ** 2 - b) * EPS
    var = sp.expand(normal_expectation(sample**2) - normal_expectation(sample) ** 2)
    (best,) = sp.solve(sp.diff(var, b), b)
    assert sp.expand(best - (theta**2 + 3)) == 0
    assert sp.expand(var.subs(b, best)) == ev.x_squared_variances()["baseline_mu"]
    assert sp.expand(var.subs(b, best) - 4).is_positive is True  # pathwise still lower


@pytest.mark.parametrize("theta, sigma", [(-1.0, 1.0), (0.5, 1.0), (2.0, 1.0), (1.5, 0.6)])
@pytest.mark.parametrize("estimator", ["score", "pathwise"])
def test_empirical_x_squared_variances_match_the_exact_ones(estimator, theta, sigma):
    exact = ev.x_squared_variances()[f"{estimator}_mu"].subs({ev.mu: theta, ev.sigma: sigma})
    assert getattr(X2, f"{estimator}_variance")(theta, sigma)[0] == pytest.approx(
        float(exact), rel=EXACT_RTOL
    )
    _variance_outcome(X2, estimator, theta, sigma, float(exact)).check()


def test_the_variance_test_rejects_a_wrong_variance():
    """Planted: E[X²] without subtracting the squared gradient (θ⁴ + 18θ² + 15 = 103 at θ = 2)."""
    outcome = _variance_outcome(X2, "score", 2.0, 1.0, expected_var=103.0)
    mu4, n = X2.score_mu4(2.0, 1.0)[0], outcome.n
    # the test's standard error uses σ⁴ = 103² (its null); the truth is Var = 87
    se = math.sqrt((mu4 - 103.0**2 * (n - 3) / (n - 1)) / n)
    expect_rejected(outcome, 87.0 - 103.0, se=se, se_bug=variance_se(87.0, mu4, n))


def test_baseline_estimator_variance_matches_empirically():
    theta, n_effect = 2.0, VARIANCE_EFFECT
    b = theta**2 + 3
    sample = ((ev.theta + EPS) ** 2 - b) * EPS
    var_expr = normal_expectation(sample**2) - normal_expectation(sample) ** 2
    var = float(var_expr.subs(ev.theta, theta))
    m1 = normal_expectation(sample)
    mu4 = float(normal_expectation(sp.expand((sample - m1) ** 4)).subs(ev.theta, theta))
    assert var == pytest.approx(8 * theta**2 + 6, rel=EXACT_RTOL)
    n = stats.sample_size_for_mean(math.sqrt(mu4 - var * var), n_effect * var)
    eps = stats.rng("baseline", theta).standard_normal(n)
    samples = ((theta + eps) ** 2 - b) * eps
    stats.variance_test(samples, var, mu4=mu4, what="Var score with optimal baseline").check()


# --- the claim is not universal -----------------------------------------------------------

SIGMA = sp.Rational(1, 2)  # bump threshold k* = 1/(2σ²) = 2; cos: u = kσ = k/2


def test_bump_threshold_agrees_between_the_derivation_and_the_exact_variances():
    assert ev.bump_threshold().subs(ev.sigma, SIGMA) == 2
    s = float(SIGMA)
    for k in (sp.Rational(3, 2), 2, 3):
        tf = T.bump(k)
        diff = tf.pathwise_variance(0.0, s)[0] - tf.score_variance(0.0, s)[0]
        closed = float((4 * k**2 * SIGMA**4 - 1) / (SIGMA**2 * (1 + 4 * k * SIGMA**2) ** 1.5))
        assert diff == pytest.approx(closed, rel=EXACT_RTOL, abs=1e-14)
    assert abs(T.bump(2).pathwise_variance(0.0, s)[0] - T.bump(2).score_variance(0.0, s)[0]) < 1e-14


@pytest.mark.parametrize(
    "k, pathwise_wins",
    [(sp.Rational(3, 2), True), (3, False)],
    ids=["k below 1/(2 sigma^2)", "k above 1/(2 sigma^2)"],
)
def test_bump_variances_are_ordered_as_the_threshold_says(k, pathwise_wins):
    tf, s = T.bump(k), float(SIGMA)
    path, score = tf.pathwise_variance(0.0, s)[0], tf.score_variance(0.0, s)[0]
    assert (path < score) is pathwise_wins
    for estimator in ("score", "pathwise"):
        _variance_outcome(tf, estimator, 0.0, s).check()


def test_cos_thresholds_bracket_a_sign_change_of_the_exact_difference():
    """With k = 1 the threshold u = kσ is a threshold in σ; worst μ: 0 for u_lo, π/2 for u_hi."""
    u_lo, u_hi = ev.cos_thresholds()
    assert 1 / math.sqrt(3) < u_lo < 1 < u_hi < 1.2
    tf = T.cosine(1)
    for u, mu in ((u_lo, 0.0), (u_hi, math.pi / 2)):
        signs = [
            np.sign(tf.pathwise_variance(mu, u + du)[0] - tf.score_variance(mu, u + du)[0])
            for du in (-1e-6, 1e-6)
        ]
        assert signs == [-1, 1], (u, signs)


@pytest.mark.parametrize(
    "k, expected",
    [
        (sp.Rational(3, 2), "pathwise lower at every mu"),
        (2, "depends on mu"),
        (sp.Rational(5, 2), "pathwise higher at every mu"),
    ],
)
def test_cos_variance_ordering_follows_the_thresholds(k, expected):
    tf, s = T.cosine(k), float(SIGMA)
    mus = np.linspace(0.0, math.pi / float(k), 41)
    diff = np.array([tf.pathwise_variance(m, s)[0] - tf.score_variance(m, s)[0] for m in mus])
    a, c = ev.cos_threshold_function()
    closed = np.array(
        [float((a + c * sp.cos(2 * k * m)).subs(ev.u, k * SIGMA)) / (2 * s * s) for m in mus[::10]]
    )
    np.testing.assert_allclose(diff[::10], closed, rtol=EXACT_RTOL, atol=1e-13)
    observed = (
        "pathwise lower at every mu"
        if (diff < 0).all()
        else "pathwise higher at every mu"
        if (diff > 0).all()
        else "depends on mu"
    )
    assert observed == expected


@pytest.mark.parametrize("k", [sp.Rational(3, 2), sp.Rational(5, 2)], ids=["below", "above"])
@pytest.mark.parametrize("estimator", ["score", "pathwise"])
def test_empirical_cos_variances_match_the_exact_ones(estimator, k):
    _variance_outcome(T.cosine(k), estimator, 0.3, float(SIGMA)).check()


# --- the step function: Leibniz fails --------------------------------------------------------


def test_pathwise_estimator_is_biased_on_the_step_but_the_score_estimator_is_not():
    tf, mu, sigma = T.get("step"), 0.4, 0.7
    grad = tf.grad(mu, sigma)
    true_mu_grad = math.exp(-((mu / sigma) ** 2) / 2) / (math.sqrt(2 * math.pi) * sigma)
    assert grad[0] == pytest.approx(true_mu_grad, rel=EXACT_RTOL)  # φ(μ/σ)/σ, hand-solved
    assert tf.pathwise_expectation(mu, sigma) == (0.0, 0.0)
    sds = [math.sqrt(v) for v in tf.score_variance(mu, sigma)]
    n = max(stats.sample_size_for_mean(sd, 0.05 * abs(g)) for sd, g in zip(sds, grad, strict=True))
    eps = stats.rng("step", mu, sigma).standard_normal(n)
    score = score_samples(tf.f, tf.df, mu, sigma, eps)
    for c in (0, 1):
        stats.mean_test(score[:, c], grad[c], sd=sds[c], what=f"score on step, {c}").check()
    path = pathwise_samples(tf.f, tf.df, mu, sigma, eps)
    # the same calibrated test, studentised, rejects the pathwise estimator (it is exactly 0)
    outcome = stats.mean_test(path[:, 0], grad[0], what="pathwise on step")
    assert not outcome.passed and np.all(path == 0.0)
