"""The explicit rules accept their valid steps and reject each violated side condition."""

from __future__ import annotations

import pytest
import sympy as sp

from rtverify.derivation import Status
from rtverify.rules import integration_by_parts, leibniz, pointwise, substitution

x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)
theta = sp.Symbol("theta", real=True)
s = sp.Symbol("s", positive=True)
f = sp.Function("f")
weight = sp.exp(-(x**2) / 2)


def _integral(integrand, lo=-sp.oo, hi=sp.oo, var=x):
    return sp.Integral(integrand, (var, lo, hi))


def test_leibniz_accepts_differentiation_under_fixed_limits():
    lhs = sp.Derivative(_integral(f(x + theta) * weight), theta)
    rhs = _integral(sp.diff(f(x + theta), theta) * weight)
    check = leibniz(theta)(lhs, rhs)
    assert check.status is Status.HYPOTHESES  # domination is stated, not checked
    assert "free of theta" in check.detail


def test_leibniz_accepts_an_equivalent_but_differently_written_integrand():
    lhs = sp.Derivative(_integral(sp.exp(theta * x) * weight), theta)
    rhs = _integral(x * sp.exp(theta * x - x**2 / 2))
    assert leibniz(theta)(lhs, rhs).status is Status.HYPOTHESES


@pytest.mark.parametrize(
    ("lo", "hi"),
    [(theta, sp.oo), (-sp.oo, 2 * theta), (0, theta**2)],
    ids=["lower-limit", "upper-limit", "finite-interval"],
)
def test_leibniz_rejects_limits_that_depend_on_the_parameter(lo, hi):
    lhs = sp.Derivative(_integral(f(x) * sp.exp(-theta * x), lo, hi), theta)
    rhs = _integral(-x * f(x) * sp.exp(-theta * x), lo, hi)
    check = leibniz(theta)(lhs, rhs)
    assert check.status is Status.FAILED
    assert "limits depend on theta" in check.detail


def test_leibniz_rejects_a_mismatched_integrand():
    lhs = sp.Derivative(_integral(f(x + theta) * weight), theta)
    rhs = _integral(f(x + theta) * weight)  # not differentiated
    check = leibniz(theta)(lhs, rhs)
    assert check.status is Status.FAILED
    assert "not the theta-derivative" in check.detail


def test_leibniz_rejects_a_missing_chain_rule_factor():
    lhs = sp.Derivative(_integral(sp.sin(s * x) * weight), s)
    rhs = _integral(sp.cos(s * x) * weight)  # the factor x is missing
    assert leibniz(s)(lhs, rhs).status is Status.FAILED


@pytest.mark.parametrize(
    ("integrand", "words"),
    [
        (sp.atan(1 / (x - theta)), "not continuous in theta"),
        (1 / (x - theta) ** 2, "not continuous in theta"),
        (sp.sign(x - theta), "cannot show"),
        (sp.Heaviside(x - theta), "cannot show"),
    ],
    ids=["atan-jump", "pole", "sign", "heaviside"],
)
def test_leibniz_rejects_an_integrand_that_jumps_or_blows_up_in_the_parameter(integrand, words):
    lhs = sp.Derivative(_integral(integrand * weight), theta)
    rhs = _integral(sp.diff(integrand, theta) * weight)
    check = leibniz(theta)(lhs, rhs)
    assert check.status is Status.FAILED
    assert words in check.detail


def test_leibniz_accepts_a_kink_where_the_integrand_stays_continuous():
    lhs = sp.Derivative(_integral(sp.Abs(x - theta) * weight), theta)
    rhs = _integral(sp.diff(sp.Abs(x - theta), theta) * weight)
    assert leibniz(theta)(lhs, rhs).status is Status.HYPOTHESES


@pytest.mark.parametrize(
    ("lhs", "rhs", "words"),
    [
        (_integral(f(x + theta)), _integral(f(x + theta)), "not the derivative of an integral"),
        (
            sp.Derivative(_integral(f(x + theta)), theta, 2),
            _integral(f(x + theta)),
            "not a first derivative",
        ),
        (sp.Derivative(_integral(f(x + theta)), theta), f(theta), "not an integral"),
        (
            sp.Derivative(_integral(f(x + theta)), theta),
            _integral(sp.diff(f(x + theta), theta), 0, sp.oo),
            "limits differ",
        ),
    ],
    ids=["no-derivative", "second-derivative", "rhs-not-integral", "rhs-other-limits"],
)
def test_leibniz_rejects_malformed_steps(lhs, rhs, words):
    check = leibniz(theta)(lhs, rhs)
    assert check.status is Status.FAILED
    assert words in check.detail


def test_pointwise_accepts_equal_integrands_and_rejects_different_ones():
    q = sp.exp(-((x - theta) ** 2) / 2)
    lhs = _integral(f(x) * sp.diff(q, theta))
    good = _integral(f(x) * q * sp.diff(sp.log(q), theta))
    bad = _integral(f(x) * q * (theta - x))  # sign flipped
    assert pointwise()(lhs, good).status is Status.PROVED  # nothing left unchecked
    assert pointwise()(lhs, bad).status is Status.FAILED
    assert pointwise()(lhs, _integral(f(x) * sp.diff(q, theta), 0, sp.oo)).status is (Status.FAILED)


def test_substitution_accepts_an_increasing_affine_map_of_the_real_line():
    lhs = _integral(f(x) * sp.exp(-((x - theta) ** 2) / (2 * s**2)))
    rhs = _integral(f(theta + s * t) * sp.exp(-(t**2) / 2) * s, var=t)
    check = substitution(x, t, theta + s * t)(lhs, rhs)
    assert check.status is Status.PROVED  # an affine change of variables is exact


def test_substitution_rejects_a_missing_jacobian_factor():
    lhs = _integral(f(x) * sp.exp(-((x - theta) ** 2) / (2 * s**2)))
    rhs = _integral(f(theta + s * t) * sp.exp(-(t**2) / 2), var=t)  # dx = s dt forgotten
    check = substitution(x, t, theta + s * t)(lhs, rhs)
    assert check.status is Status.FAILED
    assert "integrand" in check.detail


@pytest.mark.parametrize(
    "g", [theta - s * t, theta + theta * t, t**3], ids=["decreasing", "sign-unknown", "cubic"]
)
def test_substitution_rejects_maps_that_are_not_increasing_affine(g):
    lhs = _integral(f(x))
    rhs = _integral(f(g) * sp.diff(g, t), var=t)
    check = substitution(x, t, g)(lhs, rhs)
    assert check.status is Status.FAILED
    assert "not affine with positive slope" in check.detail


def test_substitution_rejects_finite_limits():
    lhs = _integral(f(x), 0, 1)
    rhs = _integral(f(s * t) * s, 0, 1 / s, var=t)
    assert substitution(x, t, s * t)(lhs, rhs).status is Status.FAILED


def _stein(u_factor=1, v=-weight):
    """∫ f(x) x e^{−x²/2} dx = ∫ f′(x) e^{−x²/2} dx, with u = f(x), v = −e^{−x²/2}."""
    lhs = _integral(f(x) * x * weight)
    rhs = _integral(u_factor * sp.diff(f(x), x) * weight)
    return integration_by_parts(x, f(x), v)(lhs, rhs)


def test_integration_by_parts_proves_steins_lemma_for_an_undefined_f():
    check = _stein()
    assert check.status is Status.HYPOTHESES  # integrability and u v → 0 are stated
    assert "v → 0 at ±∞" in check.detail


def test_integration_by_parts_rejects_a_sign_error():
    check = _stein(u_factor=-1)
    assert check.status is Status.FAILED and "−u′ · v" in check.detail


def test_integration_by_parts_rejects_a_v_whose_derivative_is_not_the_weight():
    check = _stein(v=-2 * weight)
    assert check.status is Status.FAILED and "u · v′" in check.detail


def test_integration_by_parts_rejects_a_boundary_term_that_does_not_vanish():
    lhs = _integral(f(x))  # u = f, v = x: v′ = 1, but v does not vanish at ±∞
    rhs = _integral(-sp.diff(f(x), x) * x)
    check = integration_by_parts(x, f(x), x)(lhs, rhs)
    assert check.status is Status.FAILED and "does not vanish" in check.detail


def test_integration_by_parts_rejects_finite_limits():
    lhs = _integral(f(x) * x * weight, 0, 1)
    rhs = _integral(sp.diff(f(x), x) * weight, 0, 1)
    assert integration_by_parts(x, f(x), -weight)(lhs, rhs).status is Status.FAILED
