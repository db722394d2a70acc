"""The NumPy closed forms of rtverify.gaussian agree with SymPy and mpmath to a few ulp.

References: the proved SymPy expression of the derivation ``gaussian-kl``
(``kl_standard_normal(m, s)``), lambdified to mpmath, and direct mpmath formulas, both evaluated
with 50 significant digits *beyond* the digits lost to cancellation (e^x − 1 − x at small x
loses log₁₀(1/|x|) digits), over logvar ∈ [−30, 30] and |μ| ≤ 1e3.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st
from rtverify.derivations import gaussian_kl

from rtverify import gaussian as G

#: Unit roundoff of float64.
U = 2.0**-53
#: Largest relative error allowed against the 50-digit references: 16 u ≈ 1.8e-15. Measured
#: worst error of the KL over 1500 random draws and the grid: 3.2e-16 (≈ 3 u); the error it
#: must catch -- the φ series cut after x¹²/12!, ~700 ulp at |x| = ½ -- is 1.3e-13 (70×).
RTOL = 16 * U
#: Below this a float64 result may underflow to 0 (φ(x) ≈ x²/2 for x ≈ 1e-160).
TINY = 1e-300
DIGITS = 50

_m, _lv = sp.symbols("m lv", real=True)
_KL_SYMPY = sp.lambdify(
    (_m, _lv), gaussian_kl.kl_standard_normal(_m, sp.exp(_lv / 2)), modules="mpmath"
)

logvars = st.floats(-30.0, 30.0, allow_subnormal=False)
means = st.floats(-1e3, 1e3, allow_subnormal=False)


def _digits_for(x: float) -> int:
    """50 digits plus those cancelled in e^x − 1 − x."""
    return DIGITS + (int(-math.log10(abs(x))) + 2 if 0 < abs(x) < 1 else 0) * 2


def _kl_mpmath(mu: float, lv: float) -> mpmath.mpf:
    with mpmath.workdps(_digits_for(lv)):
        m, x = mpmath.mpf(mu), mpmath.mpf(lv)
        return (m * m + (mpmath.expm1(x) - x)) / 2  # no 1 − 1: μ² may be ~1e-270


def _kl_sympy(mu: float, lv: float) -> mpmath.mpf:
    with mpmath.workdps(_digits_for(lv)):
        return _KL_SYMPY(mpmath.mpf(mu), mpmath.mpf(lv))


def _relative_error(value: float, reference: mpmath.mpf) -> float:
    if abs(reference) < TINY:
        return 0.0 if abs(value) < TINY else math.inf
    return float(abs((mpmath.mpf(value) - reference) / reference))


def _grid() -> tuple[np.ndarray, np.ndarray]:
    """logvar on both sides of the series switch at |x| = 1/2, tiny values, a few units (where
    a series used beyond its radius errs by 1e-12 or more), the ends; μ from 0 (where the KL is
    all φ(logvar)) to 1e3."""
    small = np.array([0.0, 1e-300, 1e-100, 1e-16, 1e-12, 1e-8, 1e-5, 1e-3, 0.1, 0.3])
    lvs = np.concatenate(
        [
            small,
            -small,
            [
                0.49,
                0.5,
                0.51,
                -0.49,
                -0.5,
                -0.51,
                1,
                -1,
                2.5,
                -2.5,
                3.5,
                -3.5,
                5,
                -5,
                29.9,
                30,
                -30,
            ],
        ]
    )
    mus = np.array([0.0, 1e-9, 1e-4, 0.3, -2.0, 17.0, -1e3])
    m, lv = np.meshgrid(mus, lvs)
    return m.ravel(), lv.ravel()


def _worst(kl: np.ndarray, mus, lvs, reference) -> float:
    return max(
        _relative_error(float(v), reference(float(m), float(x)))
        for v, m, x in zip(kl, mus, lvs, strict=True)
    )


def test_kl_standard_normal_matches_sympy_and_mpmath_on_a_grid():
    mus, lvs = _grid()
    kl = G.kl_standard_normal(mus[:, None], lvs[:, None])
    assert _worst(kl, mus, lvs, _kl_mpmath) <= RTOL
    assert _worst(kl, mus, lvs, _kl_sympy) <= RTOL


@given(mu=means, lv=logvars)
def test_kl_standard_normal_matches_mpmath_everywhere(mu, lv):
    value = float(G.kl_standard_normal([mu], [lv]))
    assert _relative_error(value, _kl_mpmath(mu, lv)) <= RTOL


def test_the_naive_formula_fails_the_same_check_at_small_logvar():
    """½(μ² + e^lv − 1 − lv) in float64 loses every digit at |lv| ≲ 1e-8 (μ = 0)."""
    mus, lvs = _grid()
    naive = 0.5 * (mus**2 + np.exp(lvs) - 1.0 - lvs)
    assert _worst(naive, mus, lvs, _kl_mpmath) > 1e-3  # not even three digits
    assert _relative_error(0.5 * (math.exp(1e-8) - 1 - 1e-8), _kl_mpmath(0.0, 1e-8)) > 1e-3


@pytest.mark.parametrize(
    "param, to_logvar",
    [
        ("log_std", lambda p: 2 * p),
        ("std", lambda p: 2 * mpmath.log(p)),
        ("var", mpmath.log),
    ],
)
def test_kl_is_accurate_in_every_parameterisation(param, to_logvar):
    """The reference uses the float parameter p itself (converting a logvar to p first would
    round, e.g. exp(1e-20 / 2) == 1.0)."""
    p_values = [1e-6, 0.3, 0.999999, 1.0, 1.0 + 2**-40, 1.7, 40.0]
    if param == "log_std":
        p_values = [-15.0, -0.25, -1e-9, 0.0, 1e-9, 0.3, 15.0]
    for mu in (0.0, 0.5, -1e3):
        for p in p_values:
            value = float(G.kl_standard_normal([mu], [p], param))
            with mpmath.workdps(80):
                lv = to_logvar(mpmath.mpf(p))
                ref = (mpmath.mpf(mu) ** 2 + mpmath.expm1(lv) - lv) / 2
            assert _relative_error(value, ref) <= RTOL, (param, mu, p)


@given(mu1=means, mu2=means, lv1=logvars, lv2=logvars)
def test_kl_diag_matches_mpmath(mu1, mu2, lv1, lv2):
    """Tolerance RTOL·(1 + |lv₁ − lv₂|): lv₁ − lv₂ is rounded (½ u) and φ(x) = eˣ − 1 − x has
    condition number ≈ |x| for large x (measured worst 3.7e-15 at |lv₁ − lv₂| ≈ 60)."""
    value = float(G.kl_diag([mu1], [lv1], [mu2], [lv2]))
    with mpmath.workdps(_digits_for(lv1 - lv2) + 30):
        m1, m2, x1, x2 = map(mpmath.mpf, (mu1, mu2, lv1, lv2))
        ref = (mpmath.expm1(x1 - x2) - (x1 - x2) + (m1 - m2) ** 2 / mpmath.exp(x2)) / 2
    assert _relative_error(value, ref) <= RTOL * (1 + abs(lv1 - lv2))


@given(
    mu1=means,
    mu2=means,
    lv1=logvars,
    shift=st.floats(-0.5, 0.5, allow_subnormal=False),
)
def test_kl_diag_is_accurate_for_close_variances(mu1, mu2, lv1, shift):
    """lv₁ − lv₂ inside the series region |x| < ½, where the naive formula cancels."""
    test_kl_diag_matches_mpmath.hypothesis.inner_test(mu1, mu2, lv1, lv1 - shift)


@given(z=means, mu=means, lv=logvars)
def test_log_density_entropy_and_expectations_match_mpmath(z, mu, lv):
    """Each is a sum of a few terms of both signs: its rounding error is a few u times the sum
    of the terms' magnitudes -- its own terms only (a scale borrowed from another quantity's
    terms, e.g. (z − μ)²/σ² for the entropy, would accept an entropy off by ½)."""
    log_2pi = math.log(2 * math.pi)
    with mpmath.workdps(DIGITS):
        s2 = mpmath.exp(lv)
        log_density = -(mpmath.log(2 * mpmath.pi) + lv + (mpmath.mpf(z) - mu) ** 2 / s2) / 2
        entropy = (1 + mpmath.log(2 * mpmath.pi) + lv) / 2
        e_log_prior = -(mpmath.log(2 * mpmath.pi) + mpmath.mpf(mu) ** 2 + s2) / 2
    density_terms = log_2pi + abs(lv) + (z - mu) ** 2 / math.exp(lv)
    entropy_terms = 1 + log_2pi + abs(lv)
    prior_terms = log_2pi + mu * mu + math.exp(lv)
    for got, ref, terms in [
        (G.log_density_diag([z], [mu], [lv]), log_density, density_terms),
        (G.entropy_diag([lv]), entropy, entropy_terms),
        (G.expected_log_q_diag([lv]), -entropy, entropy_terms),
        (G.expected_log_prior_diag([mu], [lv]), e_log_prior, prior_terms),
    ]:
        assert abs(float(got) - float(ref)) <= RTOL * terms


#: φ(x) to 4 u ≈ 8.9e-16 relative (measured worst over 5000 draws: 1.4 u).
EXPM1MX_RTOL = 4 * U


@given(x=st.floats(-30.0, 30.0))
def test_expm1mx_is_accurate_to_a_few_ulp(x):
    with mpmath.workdps(_digits_for(x)):
        ref = mpmath.expm1(mpmath.mpf(x)) - x
    assert _relative_error(float(G.expm1mx(x)), ref) <= EXPM1MX_RTOL


@example(x=0.49999999999999994)
@example(x=-0.49999999999999994)
@example(x=0.5)
@given(x=st.floats(0.25, 0.5) | st.floats(-0.5, -0.25) | st.floats(-0.5, 0.5))
def test_expm1mx_is_accurate_up_to_the_series_switch(x):
    """Inside the Taylor region and at its edge |x| = ½, where a truncated series is furthest
    off (a series cut after x¹²/12! errs by 1.3e-13 there, ~600 u)."""
    test_expm1mx_is_accurate_to_a_few_ulp.hypothesis.inner_test(x)
