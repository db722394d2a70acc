"""The exact moments of the test functions agree with 30-digit mpmath quadrature and SymPy.

Reference values are computed here independently of rtverify.moments: E over ε ∼ N(0, 1) by
tanh-sinh quadrature of g(μ + σε) φ(ε) (split at 0 and at the kink −μ/σ), gradients by
mpmath's numerical differentiation of that quadrature.
"""

from __future__ import annotations

import math
import time

import mpmath
import numpy as np
import pytest
import sympy as sp

from rtverify import testfunctions as T
from rtverify.moments import EPS, normal_expectation

#: Relative agreement between the lambdified float64 formulas and 30-digit quadrature.
RTOL = 1e-9
#: Absolute floor for quantities that are exactly 0 at a point (e.g. a symmetric gradient).
ATOL = 1e-11
#: Working digits of the reference quadrature.
DIGITS = 20
#: Step of the finite-difference gradient check and its relative tolerance (~H² + 1e-16/H).
H, FD_RTOL = 1e-5, 1e-7
#: One point per family member, varied so that μ ≠ 0 and σ ≠ 1 throughout.
POINTS = [(0.3, 0.7), (-1.1, 1.6), (0.8, 0.45), (-0.2, 1.3)]
FAMILY = T.family()
_MP = {"Heaviside": lambda x, h=0: mpmath.mpf(1) if x > 0 else mpmath.mpf(0), "sign": mpmath.sign}


def _mp(expr: sp.Expr):
    return sp.lambdify(T.Z, expr, modules=[_MP, "mpmath"])


def _expect(g, mu, sigma) -> mpmath.mpf:
    """E[g(μ + σε, ε)] by quadrature, split where a kink can be."""
    cuts = sorted({-mpmath.inf, mpmath.mpf(0), -mpmath.mpf(mu) / sigma, mpmath.inf})
    dens = lambda e: mpmath.exp(-(e**2) / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
    return mpmath.quad(lambda e: g(mu + sigma * e, e) * dens(e), cuts)


def _close(actual: float, expected, scale: float = 1.0) -> bool:
    return abs(actual - float(expected)) <= RTOL * max(abs(float(expected)), scale * ATOL / RTOL)


def _reference(tf: T.TestFunction, mu: float, sigma: float) -> dict[str, tuple]:
    """Mean, and mean and variance of each estimator component, by quadrature (9 integrals)."""
    f, df = _mp(tf.expr), _mp(tf.dexpr)
    with mpmath.workdps(DIGITS):
        out = {"mean": (_expect(lambda z, e: f(z), mu, sigma),)}
        score = (lambda z, e: f(z) * e / sigma, lambda z, e: f(z) * (e**2 - 1) / sigma)
        path = (lambda z, e: df(z), lambda z, e: df(z) * e)
        for name, comps in (("score", score), ("pathwise", path)):
            m1 = [_expect(g, mu, sigma) for g in comps]
            m2 = [_expect(lambda z, e, g=g: g(z, e) ** 2, mu, sigma) for g in comps]
            out[f"{name}:mean"] = tuple(m1)
            out[f"{name}:var"] = tuple(b - a**2 for a, b in zip(m1, m2, strict=True))
        return out


def _finite_difference_grad(tf: T.TestFunction, mu: float, sigma: float) -> tuple[float, float]:
    """Central differences of the exact mean, step H (truncation error ~ H² ≈ 1e-10)."""
    return (
        (tf.mean(mu + H, sigma) - tf.mean(mu - H, sigma)) / (2 * H),
        (tf.mean(mu, sigma + H) - tf.mean(mu, sigma - H)) / (2 * H),
    )


#: Members cross-checked by quadrature in the default run (one of each kind); the rest are
#: marked slow (about 0.7 s each).
QUICK = {"z^2", "exp(-z/2)", "cos(3z)", "exp(-2z^2)", "abs", "step"}


@pytest.mark.parametrize(
    "tf, point",
    [
        pytest.param(
            t, POINTS[i % len(POINTS)], id=t.name, marks=() if t.name in QUICK else pytest.mark.slow
        )
        for i, t in enumerate(FAMILY)
    ],
)
def test_exact_moments_agree_with_quadrature(tf, point):
    mu, sigma = point
    ref = _reference(tf, mu, sigma)
    got = {
        "mean": (tf.mean(mu, sigma),),
        "score:mean": tf.grad(mu, sigma),  # the score estimator is unbiased for every f here
        "score:var": tf.score_variance(mu, sigma),
        "pathwise:mean": tf.pathwise_expectation(mu, sigma),
        "pathwise:var": tf.pathwise_variance(mu, sigma),
    }
    for key, values in got.items():
        for value, expected in zip(values, ref[key], strict=True):
            assert _close(value, expected), f"{tf.name} {key}: {value} vs quadrature {expected}"


@pytest.mark.parametrize("tf", FAMILY, ids=[t.name for t in FAMILY])
def test_exact_gradient_is_the_derivative_of_the_exact_mean(tf):
    mu, sigma = 0.35, 0.85
    exact_grad, numeric_grad = tf.grad(mu, sigma), _finite_difference_grad(tf, mu, sigma)
    for exact, numeric in zip(exact_grad, numeric_grad, strict=True):
        assert exact == pytest.approx(numeric, rel=FD_RTOL, abs=FD_RTOL)


def test_the_quadrature_comparison_catches_a_wrong_variance():
    """Planted bug: the score variance without the 1/σ² factor is rejected."""
    tf, mu, sigma = T.get("z^2"), 0.3, 0.7
    ref = _reference(tf, mu, sigma)["score:var"][0]
    wrong = tf.score_variance(mu, sigma)[0] * sigma**2
    assert not _close(wrong, ref)


@pytest.mark.parametrize("name", ["z^2", "cos(3z)", "step"])
def test_fourth_central_moments_agree_with_quadrature(name):
    tf, mu, sigma = T.get(name), 0.4, 0.8
    f, df = _mp(tf.expr), _mp(tf.dexpr)
    comps = {
        "score": (lambda z, e: f(z) * e / sigma, lambda z, e: f(z) * (e**2 - 1) / sigma),
        "pathwise": (lambda z, e: df(z), lambda z, e: df(z) * e),
    }
    got = {"score": tf.score_mu4(mu, sigma), "pathwise": tf.pathwise_mu4(mu, sigma)}
    with mpmath.workdps(DIGITS):
        for est, pair in comps.items():
            for g, value in zip(pair, got[est], strict=True):
                m = _expect(g, mu, sigma)
                ref = _expect(lambda z, e, g=g, m=m: (g(z, e) - m) ** 4, mu, sigma)
                assert _close(value, ref), f"{name} {est} mu4: {value} vs {ref}"


@pytest.mark.parametrize(
    "expr, lower",
    [
        (EPS**4, -sp.oo),
        (EPS**2 * sp.exp(-(EPS**2)), -sp.oo),
        (EPS**3 * sp.Heaviside(EPS - sp.Rational(1, 2)), sp.Rational(1, 2)),
    ],
    ids=["eps^4", "eps^2 bump", "truncated"],
)
def test_normal_expectation_agrees_with_sympy_integrate(expr, lower):
    """Exact agreement with ``sympy.integrate`` (on cases it does quickly)."""
    phi = sp.exp(-(EPS**2) / 2) / sp.sqrt(2 * sp.pi)
    integrand = (expr * phi).replace(sp.Heaviside, lambda *a: 1)
    reference = sp.integrate(integrand, (EPS, lower, sp.oo))
    assert sp.simplify(normal_expectation(expr) - reference) == 0


@pytest.mark.parametrize(
    "expr",
    [
        EPS**3 * sp.exp(EPS / 3),
        EPS**2 * sp.cos(2 * EPS + 1),
        sp.Abs(3 * EPS + 1) * EPS**2,
        sp.Heaviside(1 - 2 * EPS) * EPS,
    ],
    ids=["eps^3 exp", "eps^2 cos", "abs", "reversed step"],
)
def test_normal_expectation_agrees_with_quadrature(expr):
    g = sp.lambdify(EPS, expr, modules=[_MP, "mpmath"])
    with mpmath.workdps(DIGITS):
        reference = (
            _expect(lambda z, e: g(e), 0.0, 1.0)
            if not expr.has(sp.Abs)
            else (mpmath.quad(lambda e: g(e) * mpmath.npdf(e), [-mpmath.inf, -1 / 3, mpmath.inf]))
        )
        if expr.has(sp.Heaviside):
            reference = mpmath.quad(lambda e: g(e) * mpmath.npdf(e), [-mpmath.inf, 0.5, mpmath.inf])
    got = complex(sp.N(normal_expectation(expr), 25))
    assert abs(got.imag) < 1e-20 and _close(got.real, reference)


def test_normal_expectation_rejects_what_it_cannot_do():
    with pytest.raises(NotImplementedError):
        normal_expectation(sp.log(1 + EPS**2))
    with pytest.raises(NotImplementedError):
        normal_expectation(sp.exp(EPS**3))


def test_x_squared_score_variance_is_the_notebook_value():
    """Hand-solved: Var[(θ+ε)² ε] = E[(θ+ε)⁴ε²] − (2θ)² = θ⁴ + 18θ² + 15 − 4θ²; 87 at θ = 2."""
    assert T.get("z^2").score_variance(2.0, 1.0)[0] == pytest.approx(87.0, rel=1e-14)
    assert T.get("z^2").pathwise_variance(2.0, 1.0)[0] == pytest.approx(4.0, rel=1e-14)


@pytest.mark.parametrize(
    "tf_smooth", [t for t in FAMILY if t.smooth and t.name != "abs"], ids=lambda t: t.name
)
def test_df_is_the_derivative_of_f(tf_smooth):
    """Central differences of the NumPy f agree with the NumPy df (relative step 1e-5)."""
    z = np.linspace(-2.0, 2.0, 41)
    h = 1e-5
    numeric = (tf_smooth.f(z + h) - tf_smooth.f(z - h)) / (2 * h)
    np.testing.assert_allclose(tf_smooth.df(z), numeric, rtol=1e-6, atol=1e-6)


def _phi(t: float) -> float:
    return math.exp(-t * t / 2) / math.sqrt(2 * math.pi)


def _cdf(t: float) -> float:
    return 0.5 * math.erfc(-t / math.sqrt(2))


#: E f(z), z ~ N(μ, σ²), from textbook formulas (Gaussian moments, moment generating and
#: characteristic functions, the half-normal mean): each member's name is its definition.
TEXTBOOK_MEANS = {
    "z": lambda m, s: m,
    "z^2": lambda m, s: m * m + s * s,
    "z^3": lambda m, s: m**3 + 3 * m * s * s,
    "z^4": lambda m, s: m**4 + 6 * m * m * s * s + 3 * s**4,
    "quartic": lambda m, s: (
        (m**4 + 6 * m * m * s * s + 3 * s**4) / 4
        - (m**3 + 3 * m * s * s) / 3
        - (m * m + s * s)
        + 2 * m
        + 1
    ),
    "exp(z)": lambda m, s: math.exp(m + s * s / 2),
    "exp(-z/2)": lambda m, s: math.exp(-m / 2 + s * s / 8),
    "sin(z)": lambda m, s: math.sin(m) * math.exp(-s * s / 2),
    "cos(z)": lambda m, s: math.cos(m) * math.exp(-s * s / 2),
    "cos(3z)": lambda m, s: math.cos(3 * m) * math.exp(-9 * s * s / 2),
    "exp(-z^2/2)": lambda m, s: math.exp(-m * m / (2 * (1 + s * s))) / math.sqrt(1 + s * s),
    "exp(-2z^2)": lambda m, s: math.exp(-2 * m * m / (1 + 4 * s * s)) / math.sqrt(1 + 4 * s * s),
    "abs": lambda m, s: (
        s * math.sqrt(2 / math.pi) * math.exp(-m * m / (2 * s * s)) + m * (1 - 2 * _cdf(-m / s))
    ),
    "step": lambda m, s: _cdf(m / s),
}


@pytest.mark.parametrize("point", POINTS)
def test_every_member_has_the_textbook_mean_of_its_name(point):
    """A member whose expression drifted from its name (a bump exp(−kz²/2) named exp(−kz²), a
    quartic without its constant) fails here, though its moments stay self-consistent."""
    assert sorted(TEXTBOOK_MEANS) == sorted(t.name for t in FAMILY)
    mu, sigma = point
    for tf in FAMILY:
        assert _close(tf.mean(mu, sigma), TEXTBOOK_MEANS[tf.name](mu, sigma)), tf.name


def test_non_smooth_members_have_their_almost_everywhere_derivatives():
    z = np.array([-2.0, -0.5, 0.5, 2.0])
    np.testing.assert_array_equal(T.get("abs").df(z), np.sign(z))
    np.testing.assert_array_equal(T.get("step").f(z), (z > 0).astype(float))
    np.testing.assert_array_equal(T.get("step").df(z), np.zeros(4))
    assert T.get("abs").smooth and not T.get("step").smooth


def test_functions_are_vectorised_and_keep_the_shape():
    z = np.linspace(-1, 1, 6).reshape(2, 3)
    for t in FAMILY:
        assert t.f(z).shape == z.shape and t.df(z).shape == z.shape, t.name


def test_first_use_is_cheap():
    """A new member's mean, gradient and both variances take well under a second."""
    started = time.perf_counter()
    tf = T.cosine(sp.Rational(5, 2))
    tf.grad(0.1, 0.9), tf.score_variance(0.1, 0.9), tf.pathwise_variance(0.1, 0.9)
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: T.get("nope"), KeyError),
        (lambda: T.get("z^2").mean(0.0, -1.0), ValueError),
        (lambda: T.get("z^2").grad(math.nan, 1.0), ValueError),
        (lambda: T.get("z^2").score_variance("a", 1.0), TypeError),
        (lambda: T.cosine(-1), ValueError),
        (lambda: T.bump("x"), TypeError),
    ],
    ids=["unknown name", "negative sigma", "nan mu", "string mu", "negative k", "string k"],
)
def test_bad_input_gives_a_clear_error(call, error):
    with pytest.raises(error):
        call()
