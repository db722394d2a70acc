"""The implicit-gradient reference (rtverify.implicit) against independent routes.

Routes: closed forms (Beta(a, 1): I = z^a; Beta(1, b): I = 1 − (1 − z)^b; Gamma(1): the
exponential), finite differences of SciPy's *inverse* CDF (dz/dθ = ∂F⁻¹(u; θ)/∂θ at fixed u),
the ₂F₂ series of ∂_αγ(α, z), Monte Carlo derivatives of closed-form moments, and the fast path
against the exact mpmath path over parameters 1e-3 … 1e5 including the tails.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from scipy import special

from rtverify import implicit, stats

#: Measured agreement of the fast path with mpmath (worst 7e-10 over the grid below); the
#: stated accuracy of the fast path is this bound.
FAST_VS_EXACT_RTOL = 1e-8
PARAMS = [1e-3, 0.05, 0.7, 1.0, 3.0, 40.0, 1e3, 1e5]


def _rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.max(np.abs(a - b) / np.abs(b))


def _five_point(f, x, h):
    """Fourth-order central difference (an independent route: not the library's stencil)."""
    return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)


def _quantiles(ppf):
    """Quantiles at probabilities from 1e-12 to 1 − 1e-12 (the tails where samples land)."""
    u = np.array([1e-12, 1e-6, 1e-3, 0.1, 0.5, 0.9, 1 - 1e-3, 1 - 1e-6])
    z = ppf(u)
    return z[(z > 0) & np.isfinite(z)]


@pytest.mark.parametrize("a", PARAMS)
def test_beta_with_b_one_matches_the_closed_form_z_to_the_a_log_z(a):
    z = _quantiles(lambda u: u ** (1 / a))
    z = z[z < 1]
    da, _ = implicit.beta_cdf_dab(z, a, 1.0)
    assert _rel(da, z**a * np.log(z)) < 1e-8


@pytest.mark.parametrize("b", PARAMS)
def test_beta_with_a_one_matches_the_closed_form_of_the_survival_function(b):
    z = _quantiles(lambda u: -np.expm1(np.log1p(-u) / b))
    z = z[(z > 0) & (z < 1)]
    _, db = implicit.beta_cdf_dab(z, 1.0, b)
    assert _rel(db, -((1 - z) ** b) * np.log1p(-z)) < 1e-8


@pytest.mark.parametrize("alpha", [1e-3, 0.3, 2.0, 50.0, 1e4])
def test_gamma_gradient_matches_differences_of_scipys_inverse_cdf(alpha):
    u = np.array([1e-4, 0.1, 0.5, 0.9, 1 - 1e-4])
    z = special.gammaincinv(alpha, u)
    keep = z > 1e-300
    z, u = z[keep], u[keep]
    h = 1e-5 * alpha
    fd = (special.gammaincinv(alpha + h, u) - special.gammaincinv(alpha - h, u)) / (2 * h)
    assert _rel(implicit.gamma_grad(z, alpha), fd) < 1e-5  # difference error ~h², rounding


@pytest.mark.parametrize(("a", "b"), [(0.3, 2.0), (5.0, 0.8), (200.0, 300.0), (66036.0, 1.5)])
def test_beta_gradients_match_differences_of_scipys_inverse_cdf(a, b):
    u = np.array([1e-4, 0.2, 0.5, 0.8, 1 - 1e-4])
    z = special.betaincinv(a, b, u)
    ga, gb = implicit.beta_grad(z, a, b)
    fa = _five_point(lambda s: special.betaincinv(s, b, u), a, 1e-3 * a)
    fb = _five_point(lambda s: special.betaincinv(a, s, u), b, 1e-3 * b)
    assert _rel(ga, fa) < 1e-5 and _rel(gb, fb) < 1e-5  # rounding of z near 1 over Δz


@pytest.mark.parametrize(("alpha", "z"), [(0.5, 0.2), (2.5, 1.0), (7.0, 3.0)])
def test_exact_gamma_derivative_matches_the_hypergeometric_series(alpha, z):
    # ∂γ(α, z)/∂α = log z γ(α, z) − z^α/α² ₂F₂(α, α; α+1, α+1; −z); P = γ/Γ(α)
    with mpmath.workdps(40):
        a, x = mpmath.mpf(alpha), mpmath.mpf(z)
        lower = mpmath.gammainc(a, 0, x)
        d_lower = mpmath.log(x) * lower - x**a / a**2 * mpmath.hyp2f2(a, a, a + 1, a + 1, -x)
        expected = d_lower / mpmath.gamma(a) - lower * mpmath.digamma(a) / mpmath.gamma(a)
        assert abs(implicit.gamma_cdf_dalpha_mp(z, alpha) / expected - 1) < mpmath.mpf("1e-30")


@pytest.mark.parametrize("alpha", PARAMS)
def test_fast_gamma_path_agrees_with_mpmath_over_the_grid_and_tails(alpha):
    z = _quantiles(lambda u: special.gammaincinv(alpha, u))[:: 2 if alpha < 0.01 else 1]
    exact = [float(implicit.gamma_cdf_dalpha_mp(v, alpha)) for v in z]
    assert _rel(implicit.gamma_cdf_dalpha(z, alpha), exact) < FAST_VS_EXACT_RTOL


@pytest.mark.parametrize(("a", "b"), [(1e-3, 1e-3), (0.5, 0.5), (2.0, 3.0), (1e5, 1e5), (1e3, 0.2)])
def test_fast_beta_path_agrees_with_mpmath_over_the_grid_and_tails(a, b):
    z = _quantiles(lambda u: special.betaincinv(a, b, u))
    z = z[z < 1][::2]
    da, db = implicit.beta_cdf_dab(z, a, b)
    exact = np.array([[float(v) for v in implicit.beta_cdf_dab_mp(x, a, b)] for x in z])
    assert _rel(da, exact[:, 0]) < FAST_VS_EXACT_RTOL
    assert _rel(db, exact[:, 1]) < FAST_VS_EXACT_RTOL


def test_samples_on_the_end_of_the_support_have_gradient_zero():
    assert implicit.gamma_grad(0.0, 1e-3)[0] == 0.0
    ga, gb = implicit.beta_grad([0.0, 1.0], 0.01, 0.01)
    assert np.all(ga == 0.0) and np.all(gb == 0.0)
    # the true gradient of a float32 sample that rounded to 0 is below the stated bound
    tiny = float(np.finfo(np.float32).smallest_subnormal)
    assert abs(implicit.gamma_grad(tiny, 1e-3)[0]) <= implicit.end_point_bound(1e-3, tiny)


def test_gamma_gradient_from_log_z_agrees_where_z_is_representable_and_works_below():
    alpha = 1e-3
    log_z = np.array([-3.0, -200.0, -800.0, -5000.0])  # exp(-800) underflows
    out = implicit.gamma_dlog_dalpha(log_z, alpha)
    direct = implicit.gamma_grad(np.exp(log_z[:2]), alpha) / np.exp(log_z[:2])
    assert _rel(out[:2], direct) < 1e-8
    # far in the left tail z ≈ (uΓ(α+1))^{1/α}: d log z/dα → (ψ(α+1) − log z)/α
    lead = (special.digamma(1 + alpha) - log_z[3]) / alpha
    assert abs(out[3] / lead - 1) < 1e-2


@pytest.mark.parametrize("alpha", [0.2, 4.0])
def test_monte_carlo_gradient_of_the_gamma_second_moment_is_unbiased(alpha):
    # d/dα E[z²] = d/dα α(α+1) = 2α + 1 = E[2 z dz/dα]
    z = stats.rng("gamma-second-moment", alpha).gamma(alpha, size=20_000)
    per_sample = 2 * z * implicit.gamma_grad(z, alpha)
    stats.skew_corrected_mean_test(per_sample, 2 * alpha + 1, what="dE[z²]/dα").check()


@pytest.mark.parametrize("jacobian", ["beta-marginal", "normalised-gammas"])
def test_both_dirichlet_jacobians_give_the_derivative_of_the_second_moment(jacobian):
    # E[x_1²] = α1(α1+1)/(α0(α0+1)); its derivatives in α1 and α2, by Monte Carlo
    alpha = np.array([0.6, 1.5, 3.0])
    a0 = alpha.sum()
    rng = stats.rng("dirichlet-second-moment", jacobian)
    g = rng.gamma(alpha, size=(20_000, 3))
    x = g / g.sum(-1, keepdims=True)
    if jacobian == "beta-marginal":
        jac = implicit.dirichlet_jacobian(x, alpha)
    else:
        jac = implicit.dirichlet_jacobian_from_gammas(np.log(g), alpha)
    a1 = alpha[0]
    expected = [
        ((2 * a1 + 1) * a0 * (a0 + 1) - a1 * (a1 + 1) * (2 * a0 + 1)) / (a0 * (a0 + 1)) ** 2,
        -a1 * (a1 + 1) * (2 * a0 + 1) / (a0 * (a0 + 1)) ** 2,
    ]
    for i in (0, 1):
        per_sample = 2 * x[:, 0] * jac[:, i, 0]
        stats.skew_corrected_mean_test(per_sample, expected[i], what=f"dE[x1²]/dα{i + 1}").check()


def test_dirichlet_jacobian_keeps_samples_on_the_simplex_and_reduces_to_the_beta_for_k_two():
    x = np.array([[0.3, 0.7], [0.9, 0.1]])
    alpha = np.array([2.0, 0.5])
    jac = implicit.dirichlet_jacobian(x, alpha)
    assert np.allclose(jac.sum(-1), 0.0, atol=1e-15)  # Σ_j ∂x_j/∂α_i = 0
    ga, gb = implicit.beta_grad(x[:, 0], 2.0, 0.5)
    # two separate fast-path evaluations (of x and of 1 − x): each within FAST_VS_EXACT_RTOL
    assert _rel(jac[:, 0, 0], ga) < 1e-12 and _rel(jac[:, 1, 0], gb) < 2 * FAST_VS_EXACT_RTOL


@pytest.mark.parametrize(
    ("a", "b", "z"),
    [
        (1e-3, 1e5, 1e-38),  # float32 samples clamped at the smallest normal
        (1e-3, 1e5, 1e-7),
        (1e5, 1e-3, 1 - 2**-24),  # the largest float32 below 1
        (3.0, 0.2, 1e-3),
        (0.01, 100.0, 1e-4),
        (66036.0, 1.5, 1 - 4e-6),
    ],
)
def test_beta_series_near_the_ends_agrees_with_mpmath_to_float64_precision(a, b, z):
    da, db = implicit.beta_cdf_dab(z, a, b)
    ea, eb = implicit.beta_cdf_dab_mp(z, a, b)
    assert _rel(da, float(ea)) < 1e-13 and _rel(db, float(eb)) < 1e-13


@pytest.mark.parametrize(("a", "b"), [(1e-3, 1e5), (0.5, 3e4), (7.0, 7.0), (1e5, 2.0)])
def test_log_beta_is_accurate_when_one_argument_dwarfs_the_other(a, b):
    with mpmath.workdps(40):
        exact = mpmath.log(mpmath.beta(mpmath.mpf(a), mpmath.mpf(b)))
    assert abs(implicit.log_beta(a, b)[0] - float(exact)) <= 1e-14 * max(1.0, abs(float(exact)))
