"""Both reference estimators are unbiased (calibrated z-tests), and the tests catch planted bugs.

Effect size: each test detects, with power 0.999 at α = 1e-9, a bias of 5 % of |∇| or 2.5 % of
one sample's standard deviation, whichever is larger (so n ≤ ((z_{α/2} + z_β)/0.025)² ≈ 1.4e5).
The standard deviations are exact (SymPy, ``rtverify.testfunctions``).
Budget: 2 components × (ci: 25 examples) × 2 estimators = 100 assertions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _budget import expect_rejected
from hypothesis import given
from hypothesis import strategies as st

from rtverify import stats
from rtverify import testfunctions as T
from rtverify.estimators import pathwise_samples, repeated_means, score_samples

#: Relative bias to detect, and the floor as a fraction of one sample's sd.
RELATIVE_BIAS, SD_FRACTION = 0.05, 0.025
FAMILY = T.family()
SMOOTH = [t for t in FAMILY if t.smooth]

mus = st.floats(-1.5, 1.5)
sigmas = st.floats(0.3, 1.6).filter(lambda s: abs(s - 1.0) > 0.05)  # σ ≠ 1 catches lost 1/σ


def _unbiasedness(estimator, tf, mu, sigma, variance, *seed) -> list[stats.TestOutcome]:
    """z-tests of E[estimator] = ∇E f per component, sized for the stated effect."""
    grad, var = tf.grad(mu, sigma), variance(mu, sigma)
    sds = [math.sqrt(max(v, 0.0)) for v in var]
    n = max(
        stats.sample_size_for_mean(sd, max(RELATIVE_BIAS * abs(g), SD_FRACTION * sd, 1e-12))
        for g, sd in zip(grad, sds, strict=True)
    )
    eps = stats.rng(*seed, tf.name, mu, sigma).standard_normal(n)
    samples = estimator(tf.f, tf.df, mu, sigma, eps)
    return [
        stats.mean_test(
            samples[:, c],
            grad[c],
            sd=sds[c],
            what=f"{tf.name} component {c} at mu={mu:.3g}, sigma={sigma:.3g}",
        )
        for c in (0, 1)
    ]


@given(tf=st.sampled_from(FAMILY), mu=mus, sigma=sigmas)
def test_score_estimator_is_unbiased(tf, mu, sigma):
    for outcome in _unbiasedness(score_samples, tf, mu, sigma, tf.score_variance, "score"):
        outcome.check()


@given(tf=st.sampled_from(SMOOTH), mu=mus, sigma=sigmas)
def test_pathwise_estimator_is_unbiased_where_leibniz_holds(tf, mu, sigma):
    for outcome in _unbiasedness(pathwise_samples, tf, mu, sigma, tf.pathwise_variance, "path"):
        outcome.check()


def _score_without_one_over_sigma(f, df, mu, sigma, eps):
    return score_samples(f, df, mu, sigma, eps) * sigma


def _pathwise_without_eps(f, df, mu, sigma, eps):
    out = pathwise_samples(f, df, mu, sigma, eps)
    out[:, 1] = out[:, 0]
    return out


@pytest.mark.parametrize(
    "estimator, variance, name",
    [
        (_score_without_one_over_sigma, "score_variance", "z^2"),
        (_score_without_one_over_sigma, "score_variance", "cos(z)"),
        (_pathwise_without_eps, "pathwise_variance", "z^2"),
        (_pathwise_without_eps, "pathwise_variance", "exp(z)"),
    ],
    ids=[
        "score missing 1/sigma (z^2)",
        "score missing 1/sigma (cos)",
        "pathwise sigma-gradient missing eps (z^2)",
        "pathwise missing eps (exp)",
    ],
)
def test_the_unbiasedness_test_rejects_a_broken_estimator(estimator, variance, name):
    """The bug's exact mean and sd per component: σ·∇ and σ·sd (score without 1/σ), or
    (∂μ, ∂μ) and (sd_μ, sd_μ) (pathwise σ-component without ε); the component it moves most is
    shown rejected, with its false-pass probability counted."""
    tf, mu, sigma = T.get(name), 0.4, 0.6
    outcomes = _unbiasedness(estimator, tf, mu, sigma, getattr(tf, variance), "planted")
    grad, sds = tf.grad(mu, sigma), [math.sqrt(v) for v in getattr(tf, variance)(mu, sigma)]
    if estimator is _score_without_one_over_sigma:
        bug_means, bug_sds = [sigma * g for g in grad], [sigma * sd for sd in sds]
    else:
        bug_means, bug_sds = [grad[0], grad[0]], [sds[0], sds[0]]
    n = outcomes[0].n
    c = max((0, 1), key=lambda c: abs(bug_means[c] - grad[c]) / bug_sds[c])
    root = math.sqrt(n)
    expect_rejected(outcomes[c], bug_means[c] - grad[c], se=sds[c] / root, se_bug=bug_sds[c] / root)


def test_samples_match_hand_computed_values():
    """f = z², μ = 1, σ = 2, ε = 0.5: z = 2, f = 4, f' = 4 →
    score (4·0.5/2, 4·(0.25 − 1)/2) = (1, −1.5), pathwise (4, 4·0.5) = (4, 2)."""
    tf = T.get("z^2")
    np.testing.assert_allclose(score_samples(tf.f, tf.df, 1.0, 2.0, [0.5]), [[1.0, -1.5]])
    np.testing.assert_allclose(pathwise_samples(tf.f, tf.df, 1.0, 2.0, [0.5]), [[4.0, 2.0]])


@pytest.mark.parametrize(
    "n, block",
    [(7, 64), (300, 64), (1000, 4096)],
    ids=["rows per block", "rows split over blocks", "default-like"],
)
@pytest.mark.parametrize("estimator", ["score", "pathwise"])
def test_repeated_means_equal_the_means_of_the_samples(estimator, n, block):
    """Same generator state → the same ε, row after row; only rounding differs."""
    tf, mu, sigma, reps = T.get("cos(z)"), 0.3, 0.8, 5
    got = repeated_means(estimator, tf.f, tf.df, mu, sigma, n, reps, stats.rng("rm"), block=block)
    eps = stats.rng("rm").standard_normal((reps, n))
    fn = score_samples if estimator == "score" else pathwise_samples
    want = np.array([fn(tf.f, tf.df, mu, sigma, row).mean(axis=0) for row in eps])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    callable_path = repeated_means(
        fn, tf.f, tf.df, mu, sigma, n, reps, stats.rng("rm"), block=block
    )
    np.testing.assert_allclose(callable_path, want, rtol=1e-12, atol=1e-14)
    only_mu = repeated_means(
        estimator, tf.f, tf.df, mu, sigma, n, reps, stats.rng("rm"), block=block, component=0
    )
    np.testing.assert_allclose(only_mu, want[:, 0], rtol=1e-12, atol=1e-14)


def test_a_sequence_of_estimators_runs_on_the_same_eps():
    """Both rows recomputed here from the generator's ε (row after row) with the estimators'
    formulas written out for f = sin: score sin(z)·(ε/σ, (ε² − 1)/σ), pathwise cos(z)·(1, ε)."""
    tf, (mu, sigma, n, reps) = T.get("sin(z)"), (0.2, 1.3, 50, 7)
    both = repeated_means(["score", "pathwise"], tf.f, tf.df, mu, sigma, n, reps, stats.rng("pair"))
    eps = stats.rng("pair").standard_normal((reps, n))
    z = mu + sigma * eps
    score = np.stack([np.sin(z) * eps / sigma, np.sin(z) * (eps**2 - 1) / sigma], axis=-1)
    pathwise = np.stack([np.cos(z), np.cos(z) * eps], axis=-1)
    np.testing.assert_allclose(both[0], score.mean(axis=1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(both[1], pathwise.mean(axis=1), rtol=1e-12, atol=1e-14)


_TF = T.get("z^2")


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: score_samples(_TF.f, None, 0.0, 0.0, [0.1]), ValueError),
        (lambda: score_samples(_TF.f, None, 0.0, 1.0, [[0.1]]), ValueError),
        (lambda: score_samples(np.sum, None, 0.0, 1.0, [0.1, 0.2]), ValueError),
        (lambda: pathwise_samples(None, "df", 0.0, 1.0, [0.1]), TypeError),
        (lambda: pathwise_samples(None, _TF.df, "mu", 1.0, [0.1]), TypeError),
        (lambda: repeated_means("nope", _TF.f, _TF.df, 0.0, 1.0, 10, 2, stats.rng(0)), ValueError),
        (lambda: repeated_means("score", _TF.f, _TF.df, 0.0, 1.0, 0, 2, stats.rng(0)), ValueError),
        (lambda: repeated_means("score", _TF.f, _TF.df, 0.0, 1.0, 10, 2, 42), TypeError),
        (
            lambda: repeated_means(
                "score", _TF.f, _TF.df, 0.0, 1.0, 10, 2, stats.rng(0), component=2
            ),
            ValueError,
        ),
    ],
    ids=[
        "sigma zero",
        "eps 2-d",
        "f not elementwise",
        "df not callable",
        "mu a string",
        "unknown estimator",
        "n zero",
        "rng not a Generator",
        "bad component",
    ],
)
def test_bad_input_gives_a_clear_error(call, error):
    with pytest.raises(error):
        call()
