"""The notebook (source 000): its estimators, printed numbers, repeated-variance cell and bug.

Cell [64] at θ = 2, N = 1000 printed ``3.86872102149 4.03506045463``. Both estimate
∇_θ E[x²] = 2θ = 4 with exact per-sample variances 87 (score: θ⁴ + 14θ² + 15) and 4 (pathwise),
from the derivation ``estimator-variance``; the printed numbers sit at z = −0.45 and +0.55.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from _budget import expect_rejected, variance_se
from rtverify.derivations._common import mu, sigma
from rtverify.derivations.estimator_variance import x_squared_variances
from sympy import stats as sps

from rtverify import stats
from rtverify.estimators import pathwise_samples, score_samples
from rtverify.testfunctions import get

THETA, N = 2.0, 1000
PRINTED = {"score": 3.86872102149, "pathwise": 4.03506045463}
#: The notebook's cell [64], verbatim (print statements dropped: Python 2).
CELL_64 = """
grad1 = lambda x: np.sum(np.square(x)*(x-theta)) / x.size
grad2 = lambda eps: np.sum(2*(theta + eps)) / x.size
"""
#: |z| below which a printed number is consistent with the exact mean (a 2-sided 1e-3 level).
Z_CONSISTENT = 3.29


def _notebook(x_global: np.ndarray) -> dict:
    namespace = {"np": np, "theta": THETA, "x": x_global}
    exec(CELL_64, namespace)
    return namespace


def _exact_gradient(theta: float) -> float:
    """d/dθ E[x²] for x ∼ N(θ, 1), by sympy.stats (independent of the notebook)."""
    t = sp.Symbol("t", real=True)
    return float(sp.diff(sps.E(sps.Normal("X", t, 1) ** 2), t).subs(t, theta))


def _per_sample_variances(theta: float) -> dict[str, float]:
    v = x_squared_variances()
    at = {mu: theta, sigma: 1}
    return {"score": float(v["score_mu"].subs(at)), "pathwise": float(v["pathwise_mu"].subs(at))}


def _z(value: float, theta: float, n: int, which: str) -> float:
    return (value - _exact_gradient(theta)) / math.sqrt(_per_sample_variances(theta)[which] / n)


def test_printed_numbers_are_consistent_with_the_exact_moments():
    assert _exact_gradient(THETA) == 4.0
    assert _per_sample_variances(THETA) == {"score": 87.0, "pathwise": 4.0}
    z = {k: _z(v, THETA, N, k) for k, v in PRINTED.items()}
    assert z["score"] == pytest.approx(-0.445, abs=1e-3)
    assert z["pathwise"] == pytest.approx(0.555, abs=1e-3)
    assert all(abs(v) < Z_CONSISTENT for v in z.values())


def test_a_printed_number_from_a_biased_estimator_would_be_flagged():
    # planted: a pathwise print of 4.5 (bias 0.5) is 7.9 standard errors away
    assert abs(_z(4.5, THETA, N, "pathwise")) > Z_CONSISTENT


def test_the_notebook_estimators_are_the_reference_estimators():
    eps = stats.rng("notebook", "reference").standard_normal(N)
    x = THETA + eps
    nb = _notebook(x)
    square, d_square = np.square, lambda z: 2 * z
    score = score_samples(square, None, THETA, 1.0, eps)[:, 0]
    assert nb["grad1"](x) == pytest.approx(score.mean())
    assert nb["grad2"](eps) == pytest.approx(
        pathwise_samples(None, d_square, THETA, 1.0, eps)[:, 0].mean()
    )


def test_grad2_divides_by_the_global_x_size():
    """grad2 uses the global ``x.size``: right only while len(eps) == len(x)."""
    eps = np.zeros(500)  # pathwise samples 2(θ + 0) = 4 each: the mean is exactly 4
    nb = _notebook(x_global=np.zeros(1000))
    assert nb["grad2"](eps) == pytest.approx(2 * THETA * 500 / 1000)  # 2.0: wrong by half
    assert np.mean(2 * (THETA + eps)) == 2 * THETA  # the corrected form
    assert _notebook(x_global=np.zeros(500))["grad2"](eps) == 2 * THETA  # equal sizes: right


@pytest.mark.parametrize("n", [100, 1000])
def test_notebook_variances_scale_as_87_and_4_over_n(n):
    """Cell [66]: the variance over repetitions of each N-sample mean is (87, 4)/N at θ = 2."""
    reps = 2000
    rng = stats.rng("notebook cell 66", n)
    eps = rng.standard_normal((reps, n))
    x = THETA + eps
    est1 = np.sum(np.square(x) * (x - THETA), axis=1) / n  # grad1 per repetition
    est2 = np.sum(2 * (THETA + eps), axis=1) / n  # grad2 with the right size
    exact = _per_sample_variances(THETA)
    stats.variance_test(est1, exact["score"] / n, what=f"score mean, N={n}").check()
    stats.variance_test(est2, exact["pathwise"] / n, what=f"pathwise mean, N={n}").check()
    # planted: the two variances swapped are rejected. The test estimates μ₄ from the sample,
    # so its standard error is that of the truth: μ₄ of an N-mean = (μ₄ + 3(N − 1)σ⁴)/N³
    for est, right, wrong in ((est1, "score", "pathwise"), (est2, "pathwise", "score")):
        var1, mu4_1 = exact[right], getattr(get("z^2"), f"{right}_mu4")(THETA, 1.0)[0]
        se = variance_se(var1 / n, (mu4_1 + 3 * (n - 1) * var1**2) / n**3, reps)
        outcome = stats.variance_test(est, exact[wrong] / n, what=f"{right} against {wrong}")
        expect_rejected(outcome, (var1 - exact[wrong]) / n, se=se)
