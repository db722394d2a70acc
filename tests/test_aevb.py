"""The AEVB estimator (notes eq. (46)) on the linear-Gaussian model, and the full-covariance
Gaussian family it differentiates through (notes footnote 4, eq. (44)).

The reference values are derived here, independently of ``rtverify``: the ELBO is written in
SymPy from the densities, its expectation over ε ∼ N(0, I) taken exactly (Gaussian moments of
a polynomial in ε), and differentiated symbolically; the per-sample gradient's exact variance
comes from the same moments. Monte Carlo claims are calibrated tests (``rtverify.stats``).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import sympy as sp
from _budget import expect_rejected, variance_se
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from rtverify import stats
from rtverify.elbo import GaussianQ, aevb_gradient, aevb_gradient_samples, elbo_exact
from rtverify.models import LinearGaussian

#: Per-sample gradients per unbiasedness test: detects a bias of 0.066 sd (power 0.999).
N_DRAWS = 20_000
#: Replicates of the L-sample estimator per variance test: the sample variance is within
#: ~6 × 2.5 % of the truth at α = 1e-9, so a variance that does not fall with L is rejected.
N_REPLICATES = 20_000
#: Examples of the Monte Carlo property tests.
MC_EXAMPLES = 4
#: Central finite differences of the closed-form ELBO (h = 1e-5): truncation ~h² · |f'''|.
FD_ATOL = 1e-6

W = np.array([[1.0, 0.5], [-0.7, 0.2], [0.3, -1.0]])
B = np.array([0.2, -0.1, 0.4])
PSI = np.array([0.5, 1.0, 1.5])
X = np.array([0.4, -1.0, 2.0])
#: A non-zero prior mean and a correlated prior: a score or posterior that drops m₀ or S₀
#: (treats the prior as N(0, I)) changes every gradient below.
M0 = np.array([0.6, -0.9])
S0 = np.array([[1.5, 0.4], [0.4, 0.8]])
MODEL = LinearGaussian(W, B, PSI, M0, S0)
NAMES = ("mu_1", "mu_2", "L_11", "L_21", "L_22")


def _gauss_expect(expr: sp.Expr, eps: tuple[sp.Symbol, ...]) -> sp.Expr:
    """E over independent ε_i ∼ N(0, 1) of a polynomial in ε: E ε^k = (k − 1)!! for even k."""
    poly = sp.Poly(sp.expand(expr), *eps)
    total = sp.Integer(0)
    for powers, coeff in poly.terms():
        if all(p % 2 == 0 for p in powers):
            total += coeff * sp.Mul(*(sp.factorial2(p - 1) for p in powers))
    return total


@functools.cache
def _reference():
    """Lambdified exact gradient of the ELBO, exact per-sample variance of the AEVB gradient
    (functions of (μ₁, μ₂, L₁₁, L₂₁, L₂₂)) and the per-sample gradient itself (of the five
    parameters and (ε₁, ε₂)), all differentiated by SymPy from the densities written here."""
    m1, m2, l21 = sp.symbols("mu_1 mu_2 L_21", real=True)
    l11, l22 = sp.symbols("L_11 L_22", positive=True)
    e = sp.symbols("e_1 e_2", real=True)
    params = (m1, m2, l11, l21, l22)
    z = (m1 + l11 * e[0], m2 + l21 * e[0] + l22 * e[1])
    wz = [
        sum(sp.nsimplify(W[d, j]) * z[j] for j in range(2)) + sp.nsimplify(B[d]) for d in range(3)
    ]
    r = sp.Matrix([z[0] - sp.nsimplify(M0[0]), z[1] - sp.nsimplify(M0[1])])
    prior_prec = sp.Matrix(2, 2, [sp.nsimplify(v) for v in S0.ravel()]).inv()
    log_joint = (
        -sum((sp.nsimplify(X[d]) - wz[d]) ** 2 / (2 * sp.nsimplify(PSI[d])) for d in range(3))
        - (r.T * prior_prec * r)[0, 0] / 2
    )
    log_jacobian = sp.log(l11) + sp.log(l22)  # −log q(z) = −log N(ε) + Σ log L_ii
    elbo = _gauss_expect(log_joint, e) + log_jacobian  # up to parameter-free constants
    grad = [sp.diff(elbo, p) for p in params]
    per_sample = [sp.diff(log_joint + log_jacobian, p) for p in params]  # ε held fixed
    var = [_gauss_expect(g**2, e) - _gauss_expect(g, e) ** 2 for g in per_sample]
    return (
        sp.lambdify(params, grad, "numpy"),
        sp.lambdify(params, var, "numpy"),
        sp.lambdify((*params, *e), per_sample, "numpy"),
    )


def _params(q: GaussianQ) -> tuple[float, ...]:
    return (q.mu[0], q.mu[1], q.chol[0, 0], q.chol[1, 0], q.chol[1, 1])


def _flatten(g_mu: np.ndarray, g_chol: np.ndarray) -> np.ndarray:
    """(n, 5) columns in the order of NAMES."""
    return np.column_stack(
        [g_mu[:, 0], g_mu[:, 1], g_chol[:, 0, 0], g_chol[:, 1, 0], g_chol[:, 1, 1]]
    )


@st.composite
def qs(draw) -> GaussianQ:
    """q with μ ∈ [−2, 2]², log L_ii ∈ [−1.5, 0.7] and |L₂₁| ∈ [0.3, 1]: never diagonal, so
    L ≠ Lᵀ and a transposed factor or gradient shows (a seed, not Hypothesis' shrinking
    towards 0, chooses the values)."""
    g = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    mu = g.uniform(-2, 2, size=2)
    d1, d2 = g.uniform(-1.5, 0.7, size=2)
    l21 = g.choice([-1.0, 1.0]) * g.uniform(0.3, 1.0)
    return GaussianQ(mu, np.array([[math.exp(d1), 0.0], [l21, math.exp(d2)]]))


@given(qs())
def test_symbolic_gradient_matches_finite_differences_of_the_closed_form_elbo(q):
    grad, *_ = _reference()
    h = 1e-5
    p = np.array(_params(q))
    fd = []
    for i in range(5):
        up, down = p.copy(), p.copy()
        up[i] += h
        down[i] -= h
        f = [
            elbo_exact(MODEL, X, GaussianQ(v[:2], np.array([[v[2], 0], [v[3], v[4]]])))
            for v in (up, down)
        ]
        fd.append((f[0] - f[1]) / (2 * h))
    np.testing.assert_allclose(fd, grad(*p), atol=FD_ATOL, rtol=1e-6)


@given(qs(), st.integers(0, 2**32 - 1))
def test_each_aevb_sample_is_the_symbolic_derivative_at_its_eps(q, seed):
    """Per sample, ∇_φ[log p(x, μ + Lε) + Σ log L_ii] at fixed ε, differentiated by SymPy from
    the densities (prior N(m₀, S₀), m₀ ≠ 0): exact up to rounding. The gradient is with
    respect to the free entries of L only: zero above the diagonal."""
    *_, per_sample = _reference()
    eps = np.random.default_rng(seed).normal(size=(6, 2)) * 1.5
    g_mu, g_chol = aevb_gradient_samples(MODEL, X, q, eps)
    expected = np.array([per_sample(*_params(q), *e) for e in eps])
    np.testing.assert_allclose(_flatten(g_mu, g_chol), expected, rtol=1e-10, atol=1e-12)
    assert np.all(g_chol[:, 0, 1] == 0.0), "a gradient above the diagonal of L"


@given(qs(), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_the_l_sample_aevb_estimator_averages_the_per_sample_gradients(q, n_l, seed):
    """Notes eq. (46): (1/L) Σ_l ∇ at ε_l -- an average, not a sum, over the L samples."""
    *_, per_sample = _reference()
    eps = np.random.default_rng(seed).normal(size=(n_l, 2))
    g_mu, g_chol = aevb_gradient(MODEL, X, q, eps)
    expected = np.mean([per_sample(*_params(q), *e) for e in eps], axis=0)
    np.testing.assert_allclose(_flatten(g_mu[None], g_chol[None])[0], expected, rtol=1e-10)
    assert g_chol[0, 1] == 0.0


@settings(max_examples=MC_EXAMPLES)
@given(qs())
def test_aevb_gradient_is_unbiased_for_the_exact_elbo_gradient(q):
    grad, var, _ = _reference()
    exact, sds = grad(*_params(q)), np.sqrt(var(*_params(q)))
    eps = stats.rng("aevb-unbiased", _params(q)).standard_normal((N_DRAWS, 2))
    samples = _flatten(*aevb_gradient_samples(MODEL, X, q, eps))
    for i, name in enumerate(NAMES):
        stats.mean_test(samples[:, i], exact[i], sd=sds[i], what=f"dELBO/d{name}").check()


Q_FIXED = GaussianQ(np.array([0.8, -0.5]), np.array([[0.6, 0.0], [0.4, 1.1]]))


@pytest.mark.parametrize("bug", ["no entropy term", "entropy sign flipped"])
def test_an_aevb_gradient_with_a_broken_entropy_term_is_rejected(bug):
    grad, var, _ = _reference()
    eps = stats.rng("aevb-bug").standard_normal((N_DRAWS, 2))
    g_mu, g_chol = aevb_gradient_samples(MODEL, X, Q_FIXED, eps)
    delta = np.diag(1.0 / np.diag(Q_FIXED.chol))
    g_chol = g_chol - (delta if bug == "no entropy term" else 2 * delta)
    samples = _flatten(g_mu, g_chol)
    exact, sds = grad(*_params(Q_FIXED)), np.sqrt(var(*_params(Q_FIXED)))
    shift = -(1.0 if bug == "no entropy term" else 2.0) / Q_FIXED.chol[0, 0]  # E of the change
    outcome = stats.mean_test(samples[:, 2], exact[2], sd=sds[2])
    expect_rejected(outcome, shift, se=sds[2] / math.sqrt(N_DRAWS))


def _l_sample_estimates(eps: np.ndarray) -> np.ndarray:
    """The AEVB estimator with L samples, per replicate: eps has shape (R, L, 2)."""
    r, n_l, _ = eps.shape
    flat = _flatten(*aevb_gradient_samples(MODEL, X, Q_FIXED, eps.reshape(-1, 2)))
    return flat.reshape(r, n_l, 5).mean(axis=1)


@pytest.mark.parametrize("n_l", [1, 4, 16])
def test_aevb_variance_falls_as_one_over_the_number_of_samples(n_l):
    _, var, _ = _reference()
    var1 = np.asarray(var(*_params(Q_FIXED)), dtype=float)
    eps = stats.rng("aevb-variance", n_l).standard_normal((N_REPLICATES, n_l, 2))
    estimates = _l_sample_estimates(eps)
    for i in (0, 2):  # dμ₁ and dL₁₁
        stats.variance_test(
            estimates[:, i], var1[i] / n_l, what=f"Var of the {n_l}-sample estimate of d{NAMES[i]}"
        ).check()
    if n_l > 1:  # planted bug: one ε reused for all L samples: the variance does not fall
        reused = np.repeat(eps[:, :1], n_l, axis=1)
        outcome = stats.variance_test(_l_sample_estimates(reused)[:, 0], var1[0] / n_l)
        # dμ₁ is linear in ε, hence Gaussian: the reused estimate has variance var1, μ₄ = 3var1²
        se = variance_se(var1[0], 3 * var1[0] ** 2, N_REPLICATES)
        expect_rejected(outcome, var1[0] * (1 - 1 / n_l), se=se)


# --- the full-covariance family (notes footnote 4) -------------------------------------------


@st.composite
def full_qs(draw, k: int = 3) -> GaussianQ:
    """q with μ ∈ [−3, 3]^k, log L_ii ∈ [−1.5, 1] and every |L_ij| ∈ [0.3, 1] below the
    diagonal (never diagonal: L ≠ Lᵀ), from a drawn seed."""
    g = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    off = g.choice([-1.0, 1.0], size=(k, k)) * g.uniform(0.3, 1.0, size=(k, k))
    chol = np.tril(off, -1) + np.diag(np.exp(g.uniform(-1.5, 1.0, size=k)))
    return GaussianQ(g.uniform(-3, 3, size=k), chol)


@settings(max_examples=MC_EXAMPLES)
@given(full_qs())
def test_reparameterized_samples_have_mean_mu_and_covariance_llt(q):
    eps = stats.rng("fullcov-sampler", q.mu.tolist()).standard_normal((N_DRAWS, q.mu.size))
    z = q.sample(eps)
    cov = q.chol @ q.chol.T  # computed here, not taken from q.cov
    for i in range(q.mu.size):
        stats.mean_test(z[:, i], q.mu[i], sd=math.sqrt(cov[i, i]), what=f"E z_{i}").check()
    u = np.ones(q.mu.size)
    s2 = float(u @ cov @ u)
    stats.variance_test(z @ u, s2, mu4=3 * s2**2, what="Var(1ᵀz)").check()


def test_a_sampler_using_the_transposed_factor_is_rejected():
    q = GaussianQ(np.zeros(2), np.array([[0.3, 0.0], [2.0, 1.0]]))
    eps = stats.rng("fullcov-bug").standard_normal((N_DRAWS, 2))
    wrong = eps @ q.chol  # z = Lᵀε: covariance LᵀL ≠ LLᵀ
    u = np.array([1.0, 0.0])
    s2 = float(u @ q.cov @ u)
    stats.variance_test(q.sample(eps) @ u, s2, mu4=3 * s2**2, what="Var z_1").check()
    outcome = stats.variance_test(wrong @ u, s2, mu4=3 * s2**2, what="Var z_1, Lᵀε")
    s2_bug = float(q.chol[:, 0] @ q.chol[:, 0])  # (LᵀL)₁₁ = 4.09 against (LLᵀ)₁₁ = 0.09
    expect_rejected(
        outcome,
        s2_bug - s2,
        se=variance_se(s2, 3 * s2**2, N_DRAWS),
        se_bug=variance_se(s2_bug, 3 * s2_bug**2, N_DRAWS),
    )


@given(full_qs(), st.integers(0, 2**32 - 1))
def test_each_sample_is_mu_plus_l_times_eps(q, seed):
    """z_i = μ_i + Σ_{j ≤ i} L_ij ε_j, written out entry by entry (notes eq. (42), footnote 4)."""
    eps = np.random.default_rng(seed).normal(size=(4, q.mu.size))
    k = q.mu.size
    expected = [
        [q.mu[i] + sum(q.chol[i, j] * e[j] for j in range(i + 1)) for i in range(k)] for e in eps
    ]
    np.testing.assert_allclose(q.sample(eps), expected, rtol=1e-13, atol=1e-13)


BAD_FACTORS = {
    "an entry above the diagonal": np.array([[1.0, 0.5], [0.2, 1.0]]),
    "a zero on the diagonal": np.array([[1.0, 0.0], [0.2, 0.0]]),
    "a negative diagonal entry": np.array([[-1.0, 0.0], [0.2, 1.0]]),
}


@pytest.mark.parametrize("chol", BAD_FACTORS.values(), ids=BAD_FACTORS.keys())
def test_a_factor_that_is_not_a_valid_cholesky_factor_is_rejected_with_a_message(chol):
    with pytest.raises(ValueError, match="lower triangular with a positive diagonal"):
        GaussianQ(np.zeros(2), chol)


@pytest.mark.parametrize(
    "param, variance",
    [("logvar", np.exp), ("log_std", lambda p: np.exp(2 * p)), ("std", np.square), ("var", abs)],
)
def test_the_factorized_q_has_the_variances_its_parameter_names(param, variance):
    """GaussianQ.diag (notes eq. (13)): covariance diag σ², σ² from p as the table of
    rtverify.gaussian says (exp p, e^{2p}, p², p)."""
    p = np.array([0.3, 1.7]) if param in ("std", "var") else np.array([-0.8, 0.6])
    q = GaussianQ.diag([0.5, -1.0], p, param)
    np.testing.assert_allclose(q.chol @ q.chol.T, np.diag(variance(p)), rtol=1e-14)
    np.testing.assert_array_equal(q.mu, [0.5, -1.0])


@given(full_qs(), st.integers(0, 2**32 - 1))
def test_log_density_through_the_change_of_variables_is_the_gaussian_density(q, seed):
    z = np.random.default_rng(seed).normal(size=(5, q.mu.size)) * 3
    expected = sps.multivariate_normal(q.mu, q.chol @ q.chol.T).logpdf(z)
    np.testing.assert_allclose(q.log_density(z), expected, rtol=1e-10)
    # planted bug: the log-Jacobian −Σ log L_ii dropped (eq. (44) without its second term)
    no_jacobian = q.log_density(z) + np.sum(np.log(np.diag(q.chol)))
    if abs(np.sum(np.log(np.diag(q.chol)))) > 1e-6:
        assert not np.allclose(no_jacobian, expected, rtol=1e-10)


@settings(max_examples=MC_EXAMPLES)
@given(full_qs())
def test_kl_to_the_standard_normal_matches_its_formula_and_monte_carlo(q):
    k = q.mu.size
    formula = 0.5 * (np.sum(q.chol**2) + q.mu @ q.mu - k - 2 * np.sum(np.log(np.diag(q.chol))))
    assert abs(q.kl_standard_normal() - formula) <= 1e-10 * max(1.0, formula)
    eps = stats.rng("fullcov-kl", q.mu.tolist()).standard_normal((N_DRAWS, k))
    z = q.sample(eps)
    log_ratio = q.log_density(z) + 0.5 * np.sum(z * z, axis=1) + 0.5 * k * math.log(2 * math.pi)
    stats.mean_test(log_ratio, q.kl_standard_normal(), what="KL(q || N(0, I))").check()


def test_the_kl_with_its_arguments_swapped_is_not_the_formula():
    q = GaussianQ(np.array([1.0, -1.0]), np.array([[0.5, 0.0], [0.8, 2.0]]))
    swapped = GaussianQ(np.zeros(2), np.eye(2)).kl(q.mu, q.cov)  # KL(N(0, I) ‖ q)
    formula = 0.5 * (np.sum(q.chol**2) + q.mu @ q.mu - 2 - 2 * np.sum(np.log(np.diag(q.chol))))
    assert abs(q.kl_standard_normal() - formula) < 1e-12
    assert abs(swapped - formula) > 0.1
