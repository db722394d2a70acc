"""The tractable models: exact log p(x) and posteriors, checked by independent routes.

Routes: mpmath quadrature at 30 digits (log p(x) = log ∫ p(x | z) p(z) dz), Bayes' rule
log p(z | x) = log p(x, z) − log p(x) at arbitrary z, scipy's multivariate normal, plain-Python
sums over the latent values. Each check is also shown to fail on a planted bug.
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
from _budget import expect_rejected
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate
from scipy import stats as sps

from rtverify import stats
from rtverify.gaussian import log_density_full
from rtverify.models import (
    BinaryLatentBernoulli,
    ConditionalLinearGaussian,
    GaussianLatentBernoulli,
    GaussianMixture,
    LinearGaussian,
    NormalNormal,
)

#: Exact identities in float64 between two routes of ~10 flops each.
EXACT_RTOL = 1e-10

finite = st.floats(-3.0, 3.0)
positive = st.floats(0.2, 3.0)


def _close(a: float, b: float, rtol: float = EXACT_RTOL) -> bool:
    return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))


def _quad_evidence_normal_normal(x, m0, s0, s) -> float:
    """log ∫ Π_i N(x_i; z, s²) N(z; m0, s0²) dz by adaptive quadrature (scipy QUADPACK,
    epsrel 1e-13), in t with z = c + w t centred on the posterior (c, w²), the log-integrand
    shifted by its value at t = 0 so the peak has unit width and height."""
    x = np.asarray(x, float)
    w2 = 1 / (1 / s0**2 + len(x) / s**2)
    c, w = w2 * (m0 / s0**2 + x.sum() / s**2), math.sqrt(w2)

    def log_integrand(t: float) -> float:
        z = c + w * t
        return float(sps.norm.logpdf(z, m0, s0) + sps.norm.logpdf(x, z, s).sum()) + math.log(w)

    peak = log_integrand(0.0)
    value, _ = integrate.quad(
        lambda t: math.exp(log_integrand(t) - peak), -np.inf, np.inf, epsabs=0.0, epsrel=1e-13
    )
    return math.log(value) + peak


@given(m0=finite, s0=positive, s=positive, x=st.lists(finite, min_size=1, max_size=4))
def test_normal_normal_evidence_matches_quadrature(m0, s0, s, x):
    model = NormalNormal(m0, s0, s)
    assert _close(model.log_evidence(x), _quad_evidence_normal_normal(x, m0, s0, s), 1e-9)


def test_an_evidence_missing_the_log_determinant_term_is_caught_by_quadrature():
    class NoLogdet(NormalNormal):
        def log_evidence(self, x):
            n = len(x)
            return super().log_evidence(x) + 0.5 * math.log1p(n * self.s0**2 / self.s**2)

    x = [0.5, -1.0]
    assert not _close(
        NoLogdet(0.2, 1.3, 0.9).log_evidence(x),
        _quad_evidence_normal_normal(x, 0.2, 1.3, 0.9),
        1e-9,
    )


class _ForgetsN(NormalNormal):
    """Planted bug: the posterior precision counts one observation, not n."""

    def posterior(self, x):
        x = np.atleast_1d(x)
        v = 1.0 / (1.0 / self.s0**2 + 1.0 / self.s**2)
        return np.array([v * (self.m0 / self.s0**2 + x.sum() / self.s**2)]), np.array([[v]])


def _bayes_rule_holds(model, x, zs) -> bool:
    """log N(z; posterior) = log p(x, z) − log p(x) at every z."""
    mean, cov = model.posterior(x)
    chol = np.linalg.cholesky(cov)
    lhs = log_density_full(zs, mean, chol)
    rhs = model.log_joint(x, zs) - model.log_evidence(x)
    return all(_close(a, b) for a, b in zip(lhs, rhs, strict=True))


@given(m0=finite, s0=positive, s=positive, x=st.lists(finite, min_size=1, max_size=4))
def test_normal_normal_posterior_satisfies_bayes_rule(m0, s0, s, x):
    zs = np.linspace(-4, 4, 7)[:, None]
    assert _bayes_rule_holds(NormalNormal(m0, s0, s), x, zs)


def test_a_posterior_that_forgets_the_sample_size_breaks_bayes_rule():
    zs = np.linspace(-4, 4, 7)[:, None]
    assert not _bayes_rule_holds(_ForgetsN(0.3, 1.2, 0.8), [0.5, 1.0, -0.2], zs)


@given(m0=finite, s0=positive, s=positive, x=st.lists(finite, min_size=1, max_size=4))
def test_normal_normal_is_linear_gaussian_with_one_latent(m0, s0, s, x):
    nn = NormalNormal(m0, s0, s)
    n = len(x)
    lg = LinearGaussian(np.ones((n, 1)), np.zeros(n), np.full(n, s**2), [m0], [[s0**2]])
    assert _close(nn.log_evidence(x), lg.log_evidence(x))
    (m1, v1), (m2, v2) = nn.posterior(x), lg.posterior(x)
    assert _close(m1[0], m2[0]) and _close(v1[0, 0], v2[0, 0])


@st.composite
def linear_gaussians(draw, k_max: int = 3, d_max: int = 4):
    """A linear-Gaussian model with a non-zero prior mean m₀ and a correlated prior S₀ = AAᵀ +
    ½I (so a formula that assumes the prior N(0, I) is wrong on every draw), and an x."""
    k = draw(st.integers(2, k_max))
    d = draw(st.integers(2, d_max))
    seed = draw(st.integers(0, 2**32 - 1))
    g = np.random.default_rng(seed)
    a = g.normal(size=(k, k))
    model = LinearGaussian(
        g.normal(size=(d, k)),
        g.normal(size=d),
        g.uniform(0.2, 2.0, size=d),
        g.choice([-1.0, 1.0], size=k) * g.uniform(0.5, 2.0, size=k),
        a @ a.T + 0.5 * np.eye(k),
    )
    return model, g.normal(size=d) * 2.0


@given(linear_gaussians())
def test_linear_gaussian_evidence_matches_scipy_marginal(case):
    model, x = case
    m0, s0 = model.prior_mean, model.prior_cov
    cov = model.W @ s0 @ model.W.T + np.diag(model.psi)
    expected = sps.multivariate_normal(model.W @ m0 + model.b, cov).logpdf(x)
    assert _close(model.log_evidence(x), float(expected))


def _central_difference(f, z: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """(f(z + h e_i) − f(z − h e_i)) / 2h per coordinate: exact for a quadratic f up to
    rounding (≈ 1e-16 |f| / h ≈ 1e-11 here)."""
    out = np.empty_like(z)
    for i in range(z.size):
        step = np.zeros_like(z)
        step[i] = h
        out[i] = (f(z + step) - f(z - step)) / (2 * h)
    return out


@given(linear_gaussians(), st.integers(0, 2**32 - 1))
def test_linear_gaussian_score_is_the_derivative_of_scipys_log_joint(case, seed):
    """∇_z log p(x, z) against central differences of log N(z; m₀, S₀) + log N(x; Wz + b, Ψ)
    written with scipy (log p(x, z) is quadratic in z: the differences are exact)."""
    model, x = case

    def log_joint(z):
        prior = sps.multivariate_normal(model.prior_mean, model.prior_cov).logpdf(z)
        return prior + sps.norm.logpdf(x, model.W @ z + model.b, np.sqrt(model.psi)).sum()

    for z in np.random.default_rng(seed).normal(size=(3, model.W.shape[1])) * 2:
        np.testing.assert_allclose(
            model.grad_log_joint(x, z), _central_difference(log_joint, z), rtol=1e-6, atol=1e-6
        )


@given(m0=finite, s0=positive, s=positive, x=st.lists(finite, min_size=1, max_size=4))
def test_normal_normal_score_is_the_derivative_of_scipys_log_joint(m0, s0, s, x):
    model = NormalNormal(m0, s0, s)

    def log_joint(z):
        return sps.norm.logpdf(z[0], m0, s0) + sps.norm.logpdf(x, z[0], s).sum()

    for z in (np.array([m0 + 1.3]), np.array([-2.1]), np.array([0.7])):
        np.testing.assert_allclose(
            model.grad_log_joint(x, z), _central_difference(log_joint, z), rtol=1e-6, atol=1e-6
        )


@given(linear_gaussians())
def test_linear_gaussian_posterior_satisfies_bayes_rule(case):
    model, x = case
    zs = stats.rng("lg-bayes", x.tolist()).normal(size=(5, model.W.shape[1])) * 2
    assert _bayes_rule_holds(model, x, zs)


def test_a_posterior_without_the_prior_precision_breaks_bayes_rule():
    model = LinearGaussian([[1.0, 0.5], [0.2, -1.0], [0.3, 0.3]], [0, 0, 0], [0.5, 1.0, 2.0])

    class NoPrior(LinearGaussian):
        def posterior(self, x):
            prec = (self.W.T / self.psi) @ self.W
            cov = np.linalg.inv(prec)
            return cov @ ((self.W.T / self.psi) @ (np.asarray(x) - self.b)), cov

    bug = NoPrior(model.W, model.b, model.psi)
    zs = np.array([[0.0, 0.0], [1.0, -1.0], [2.0, 0.5]])
    assert _bayes_rule_holds(model, [0.4, -1.0, 2.0], zs)
    assert not _bayes_rule_holds(bug, [0.4, -1.0, 2.0], zs)


@given(linear_gaussians(), st.integers(0, 2**32 - 1))
def test_expected_log_likelihood_matches_gauss_hermite(case, seed):
    """log p(x | z) is quadratic in z: 3-point Gauss–Hermite per axis is exact."""
    model, x = case
    k = model.W.shape[1]
    g = np.random.default_rng(seed)
    mean, chol = (
        g.normal(size=k),
        np.tril(g.normal(size=(k, k)), -1) + np.diag(g.uniform(0.3, 2.0, size=k)),
    )
    t, w = np.polynomial.hermite_e.hermegauss(3)
    nodes = np.array(list(itertools.product(t, repeat=k)))
    weights = np.prod(np.array(list(itertools.product(w, repeat=k))), axis=1) / (2 * math.pi) ** (
        k / 2
    )
    expected = weights @ model.log_likelihood(x, mean + nodes @ chol.T)
    assert _close(model.expected_log_likelihood(x, mean, chol), float(expected))


def test_conditional_model_given_c_has_the_conditional_evidence():
    g = stats.rng("clg-evidence")
    model = ConditionalLinearGaussian(
        g.normal(size=(3, 2)),
        g.normal(size=(3, 2)),
        g.normal(size=3),
        [0.5, 1.0, 1.5],
        g.normal(size=(2, 2)),
        g.normal(size=2),
    )
    c, x = np.array([0.7, -1.2]), np.array([0.1, 2.0, -0.5])
    mean = model.W @ (model.A @ c + model.a) + model.V @ c + model.b
    cov = model.W @ model.W.T + np.diag(model.psi)
    assert _close(model.log_evidence(x, c), float(sps.multivariate_normal(mean, cov).logpdf(x)))


def test_mixture_evidence_and_posterior_match_a_plain_sum():
    weights, means, variances = (
        [0.2, 0.5, 0.3],
        [[0.0, 1.0], [2.0, -1.0], [-1.0, 0.5]],
        [[1.0, 0.5], [0.3, 2.0], [1.5, 1.5]],
    )
    model = GaussianMixture(weights, means, variances)
    x = [0.4, -0.3]
    joint = [
        w
        * math.prod(
            math.exp(-((xi - m) ** 2) / (2 * v)) / math.sqrt(2 * math.pi * v)
            for xi, m, v in zip(x, mu, var, strict=True)
        )
        for w, mu, var in zip(weights, means, variances, strict=True)
    ]
    assert _close(model.log_evidence(x), math.log(sum(joint)))
    assert np.allclose(model.posterior(x), np.array(joint) / sum(joint), rtol=EXACT_RTOL)


def _plain_binary_evidence(prior_logits, W, b, x) -> float:
    """p(x) = Σ_z Π_j p(z_j) Π_i θ_i^{x_i}(1 − θ_i)^{1 − x_i} (notes eq. (5)) in plain Python."""
    sig = lambda a: 1.0 / (1.0 + math.exp(-a))  # noqa: E731
    total = 0.0
    for z in itertools.product((0, 1), repeat=len(prior_logits)):
        pz = math.prod(sig(a) if zj else 1 - sig(a) for zj, a in zip(z, prior_logits, strict=True))
        theta = [
            sig(sum(wij * zj for wij, zj in zip(row, z, strict=True)) + bi)
            for row, bi in zip(W, b, strict=True)
        ]
        px = math.prod(t if xi else 1 - t for xi, t in zip(x, theta, strict=True))
        total += pz * px
    return math.log(total)


def test_binary_latent_bernoulli_evidence_matches_the_sum_of_eq_5():
    prior, W, b = [0.3, -1.0, 0.5], [[1.0, -0.5, 2.0], [0.2, 0.3, -1.0]], [0.1, -0.4]
    model = BinaryLatentBernoulli(prior, W, b)
    for x in itertools.product((0.0, 1.0), repeat=2):
        assert _close(model.log_evidence(x), _plain_binary_evidence(prior, W, b, x))
    assert _close(
        sum(math.exp(model.log_evidence(x)) for x in itertools.product((0.0, 1.0), repeat=2)), 1.0
    )


def test_gaussian_latent_bernoulli_quadrature_matches_mpmath():
    W, b, x = np.array([[1.5], [-0.7], [0.3]]), np.array([0.2, -0.1, 0.4]), np.array([1.0, 0, 1])
    model = GaussianLatentBernoulli(W, b)
    with mpmath.workdps(25):

        def lik(*z):
            out = mpmath.mpf(1)
            for row, bi, xi in zip(W, b, x, strict=True):
                a = sum(float(r) * zj for r, zj in zip(row, z, strict=True)) + float(bi)
                theta = 1 / (1 + mpmath.exp(-a))
                out *= theta if xi else 1 - theta
            return out * mpmath.exp(-sum(zj**2 for zj in z) / 2) / (2 * mpmath.pi) ** (len(z) / 2)

        r = [-mpmath.inf, 0, mpmath.inf]
        expected = float(mpmath.log(mpmath.quad(lik, *([r] * W.shape[1]))))
    assert _close(model.log_evidence(x), expected, 1e-9)
    # the 2-d tensor grid: a second latent the decoder ignores leaves log p(x) unchanged
    flat = GaussianLatentBernoulli(np.hstack([W, np.zeros_like(W)]), b)
    assert _close(flat.log_evidence(x), expected, 1e-9)


@pytest.mark.parametrize("k", [1, 2])
def test_gaussian_latent_bernoulli_expected_log_likelihood_matches_monte_carlo(k):
    W = np.array([[1.0, 0.5], [-0.7, 0.2], [0.3, -1.0]])[:, :k]
    b, x = np.array([0.2, -0.1, 0.4]), np.array([1.0, 0.0, 1.0])
    model = GaussianLatentBernoulli(W, b)
    q_mean, q_chol = np.full(k, 0.3), np.array([[0.7, 0.0], [0.4, 0.5]])[:k, :k]
    n = 400_000
    eps = stats.rng("glb-ell", k).standard_normal((n, k))
    mc = model.log_likelihood(x, q_mean + eps @ q_chol.T)
    stats.mean_test(
        mc, model.expected_log_likelihood(x, q_mean, q_chol), what="E_q log p(x|z) by quadrature"
    ).check()
    # planted bug: the variances σ² used as scales (L² for L) is rejected; its effect is the
    # difference of the two quadratures, the standard error the sample one (studentised test)
    wrong = model.expected_log_likelihood(x, q_mean, q_chol**2)
    outcome = stats.mean_test(mc, wrong)
    right = model.expected_log_likelihood(x, q_mean, q_chol)
    expect_rejected(outcome, right - wrong, se=float(np.std(mc, ddof=1)) / math.sqrt(n))


BAD_INPUTS = {
    "negative prior std": lambda: NormalNormal(0.0, -1.0, 1.0),
    "W not a matrix": lambda: LinearGaussian([1.0, 2.0], [0.0], [1.0]),
    "psi of the wrong length": lambda: LinearGaussian(np.ones((3, 2)), np.zeros(3), [1.0]),
    "prior_cov not positive definite": lambda: LinearGaussian(
        np.ones((2, 2)), np.zeros(2), [1.0, 1.0], prior_cov=[[1.0, 2.0], [2.0, 1.0]]
    ),
    "weights not summing to 1": lambda: GaussianMixture([0.5, 0.6], [[0.0], [1.0]], [[1.0], [1.0]]),
    "x of the wrong length": lambda: LinearGaussian(
        np.ones((3, 2)), np.zeros(3), np.ones(3)
    ).log_evidence([1.0]),
    "too many binary latents": lambda: BinaryLatentBernoulli(
        np.zeros(17), np.ones((2, 17)), np.zeros(2)
    ),
    "non-binary Bernoulli data": lambda: BinaryLatentBernoulli([0.0], [[1.0]], [0.0]).log_evidence(
        [2.0]
    ),
    "three latent dims for quadrature": lambda: GaussianLatentBernoulli(
        np.ones((2, 3)), np.zeros(2)
    ),
}


@pytest.mark.parametrize("make", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_model_input_raises_a_clear_value_error(make):
    with pytest.raises(ValueError):
        make()
