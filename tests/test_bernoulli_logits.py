"""The Bernoulli log-likelihood Σ_d [x log σ(ℓ) + (1 − x) log(1 − σ(ℓ))] at logits up to ±100,
against mpmath at 150 digits (relative error per data point ≤ 1e-14)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtverify.categorical import bernoulli_log_likelihood

RTOL = 1e-14


def _mp(x, logits) -> mpmath.mpf:
    """Σ [x log σ(ℓ) + (1 − x) log(1 − σ(ℓ))] with σ(ℓ) = 1/(1 + e^{−ℓ}), 150 digits (1 + e^{−100}
    must keep 44 digits more than the result)."""
    with mpmath.workdps(150):
        total = mpmath.mpf(0)
        for xi, a in zip(x, logits, strict=True):
            a = mpmath.mpf(a)
            s = 1 / (1 + mpmath.exp(-a))
            total += xi * mpmath.log(s) + (1 - xi) * mpmath.log(1 / (1 + mpmath.exp(a)))
        return total


def _rel(value: float, reference) -> float:
    return float(abs((mpmath.mpf(value) - reference) / reference)) if reference else abs(value)


@pytest.mark.parametrize("logit", [-100.0, -50.0, -1e-8, 0.0, 1e-8, 50.0, 100.0])
@pytest.mark.parametrize("x", [0.0, 1.0])
def test_bernoulli_log_likelihood_is_relatively_accurate_at_every_logit_up_to_100(x, logit):
    """Including the right answers at ±100: log σ(100) = −3.7e-44 (not 0) and
    log(1 − σ(100)) = −100 (not −inf, which a naive log(1 − sigmoid(ℓ)) gives)."""
    value = float(bernoulli_log_likelihood([[x]], [[logit]])[0])
    assert value < 0
    assert _rel(value, _mp([x], [logit])) <= RTOL


@given(
    st.lists(
        st.tuples(st.sampled_from([0.0, 1.0]), st.floats(-100, 100, allow_subnormal=False)),
        min_size=1,
        max_size=8,
    )
)
def test_bernoulli_log_likelihood_matches_mpmath_on_random_pixels(pixels):
    x, logits = zip(*pixels, strict=True)
    value = float(bernoulli_log_likelihood([list(x)], [list(logits)])[0])
    assert _rel(value, _mp(x, logits)) <= RTOL


def test_naive_log_sigmoid_dies_where_the_reference_does_not():
    """log(1 − sigmoid(100)) is log(0) = −inf in float64; the reference returns −100."""
    with np.errstate(divide="ignore"):
        naive = np.log(1 - 1 / (1 + np.exp(-100.0)))
    assert naive == -math.inf
    assert float(bernoulli_log_likelihood([[0.0]], [[100.0]])[0]) == -100.0


@pytest.mark.parametrize("bad", [-0.5, 1.5, float("nan")])
def test_bernoulli_log_likelihood_rejects_x_outside_0_1_with_a_message(bad):
    with pytest.raises(ValueError, match=r"x must lie in \[0, 1\]"):
        bernoulli_log_likelihood([[bad]], [[0.0]])
