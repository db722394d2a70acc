"""ELBO ≤ log p(x) with the gap exactly KL(q ‖ p(z | x)); the IWAE bounds L₁ ≤ L_k ≤ log p(x)
and L_k → log p(x) like χ²/2k (Burda et al. 2016); Monte Carlo estimators unbiased.

Every value is compared with an independent route: densities written with scipy, expectations
by Gauss–Hermite quadrature, the Gaussian KL by inverse and log-determinant, discrete models
by plain-Python sums. (L_k ≤ L_{k+1} holds for any log-weights by concavity of log, so it is
not tested on its own: the IWAE estimate is tested to be the log-mean of independently
computed weights, and L_k's value against the lognormal expansion.)

Exact claims use closed forms (tolerance EXACT_RTOL); Monte Carlo claims are calibrated tests
(``rtverify.stats``, α = 1e-9 each). Each property is also shown to fail on a planted bug.
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
from _budget import expect_rejected
from _independent import elbo_by_quadrature, kl_reference, log_joint, log_q
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp

from rtverify import stats
from rtverify.elbo import (
    GaussianQ,
    categorical_elbo,
    elbo_exact,
    elbo_kl_samples,
    elbo_samples,
    iwae_samples,
)
from rtverify.models import (
    BinaryLatentBernoulli,
    GaussianLatentBernoulli,
    GaussianMixture,
    LinearGaussian,
    NormalNormal,
)

#: Closed forms of ~50 flops compared in float64.
EXACT_RTOL = 1e-10
#: Closed form against 60-point Gauss–Hermite of the smooth Bernoulli integrand (measured
#: agreement ≲ 1e-12; the mutants it must catch change the ELBO by ≥ 1e-3).
QUADRATURE_RTOL = 1e-9
#: Monte Carlo draws per unbiasedness test: detects a bias of 9.3 sd/√n ≈ 0.066 sd of one
#: draw with power 0.999 at α = 1e-9 (``stats.sample_size_for_mean``).
N_DRAWS = 20_000
#: Draws (replicates × k) per IWAE gap test: the planted k − 1 bug shifts the weights' mean by
#: 100 standard errors at k = 16 (where it is shown; 11.8 at k = 128, too few for 1e-9).
GAP_DRAWS = 640_000
#: Examples of the Monte Carlo property tests (each makes a few calibrated assertions).
MC_EXAMPLES = 4

X_NN = np.array([0.5, 1.7, -0.4])
X_LG = np.array([0.4, -1.0, 2.0])
X_BIN = np.array([1.0, 0.0, 1.0])


def _models() -> dict[str, tuple[object, np.ndarray]]:
    g = stats.rng("elbo-bounds-models")
    return {
        "normal-normal": (NormalNormal(0.3, 1.2, 0.8), X_NN),
        "linear-gaussian": (  # prior N(m₀, S₀) with m₀ ≠ 0 and S₀ correlated
            LinearGaussian(
                g.normal(size=(3, 2)),
                g.normal(size=3),
                g.uniform(0.3, 1.5, 3),
                np.array([0.7, -0.4]),
                np.array([[1.3, 0.5], [0.5, 0.9]]),
            ),
            X_LG,
        ),
        "bernoulli-decoder": (
            GaussianLatentBernoulli(
                np.array([[1.0, 0.5], [-0.7, 0.2], [0.3, -1.0]]), np.array([0.2, -0.1, 0.4])
            ),
            X_BIN,
        ),
    }


MODELS = _models()
EXACT_POSTERIOR = ["normal-normal", "linear-gaussian"]


def _latent_dim(model) -> int:
    return model.prior_mean.size


@st.composite
def gaussian_qs(draw, k: int) -> GaussianQ:
    """A full-covariance q from a drawn seed: mean in [−3, 3]^K, log L_ii in [−1.5, 1] and
    every |L_ij| in [0.3, 1] below the diagonal — never diagonal, never symmetric (Hypothesis'
    own floats shrink towards 0 and gave nearly diagonal factors)."""
    g = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    off = g.choice([-1.0, 1.0], size=(k, k)) * g.uniform(0.3, 1.0, size=(k, k))
    chol = np.tril(off, -1) + np.diag(np.exp(g.uniform(-1.5, 1.0, size=k)))
    return GaussianQ(g.uniform(-3, 3, size=k), chol)


def _close(a: float, b: float, rtol: float = EXACT_RTOL) -> bool:
    return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))


def _kl_to_posterior(model, x, q: GaussianQ) -> float:
    return kl_reference(q.mu, q.chol @ q.chol.T, *model.posterior(x))


@pytest.mark.parametrize("name", list(MODELS))
@given(data=st.data())
def test_elbo_is_at_most_log_evidence_for_any_q(name, data):
    """elbo_exact (closed-form KL + E log p(x | z)) against E_q[log p(x, z) − log q(z)] by
    quadrature of scipy's densities, both ways; and ELBO ≤ log p(x)."""
    model, x = MODELS[name]
    q = data.draw(gaussian_qs(_latent_dim(model)))
    elbo = elbo_exact(model, x, q)
    assert _close(elbo, elbo_by_quadrature(model, x, q), QUADRATURE_RTOL)
    assert elbo <= model.log_evidence(x) + EXACT_RTOL


@pytest.mark.parametrize("name", EXACT_POSTERIOR)
@given(data=st.data())
def test_log_evidence_is_elbo_plus_kl_to_the_posterior(name, data):
    model, x = MODELS[name]
    q = data.draw(gaussian_qs(_latent_dim(model)))
    assert _close(model.log_evidence(x), elbo_exact(model, x, q) + _kl_to_posterior(model, x, q))


@pytest.mark.parametrize("name", EXACT_POSTERIOR)
def test_elbo_equals_log_evidence_iff_q_is_the_posterior(name):
    model, x = MODELS[name]
    post = GaussianQ.from_cov(*model.posterior(x))
    assert _close(elbo_exact(model, x, post), model.log_evidence(x))
    nudged = GaussianQ(post.mu + 1e-3, post.chol)  # KL = ½ 1e-6 Σ⁻¹-norm, far above rounding
    assert elbo_exact(model, x, nudged) < model.log_evidence(x) - 1e-9


def test_a_kl_with_the_wrong_sign_breaks_the_bound_and_the_identity():
    model, x = MODELS["linear-gaussian"]
    q = GaussianQ(np.array([2.5, -2.0]), np.diag([0.3, 2.0]))
    wrong = model.expected_log_likelihood(x, q.mu, q.chol) + q.kl(model.prior_mean, model.prior_cov)
    assert wrong > model.log_evidence(x)
    assert not _close(model.log_evidence(x), wrong + _kl_to_posterior(model, x, q))


def test_the_kl_with_q_and_posterior_swapped_breaks_the_identity():
    model, x = MODELS["linear-gaussian"]
    q = GaussianQ(np.array([1.0, -0.5]), np.diag([0.5, 1.5]))
    mean, cov = model.posterior(x)
    swapped = GaussianQ.from_cov(mean, cov).kl(q.mu, q.cov)  # KL(p(z|x) ‖ q)
    assert not _close(model.log_evidence(x), elbo_exact(model, x, q) + swapped)


# --- discrete latents: exact by summation --------------------------------------------------

MIXTURE = (
    [0.2, 0.5, 0.3],
    [[0.0, 1.0], [2.0, -1.0], [-1.0, 0.5]],
    [[1.0, 0.5], [0.3, 2.0], [1.5, 1.5]],
)
BINARY = (
    [0.3, -1.0, 0.5],
    [[1.0, -0.5, 2.0], [0.2, 0.3, -1.0], [0.5, 0.5, 0.5]],
    [0.1, -0.4, 0.0],
)
DISCRETE = {
    "mixture": (GaussianMixture(*MIXTURE), np.array([0.4, -0.3])),
    "binary-bernoulli": (BinaryLatentBernoulli(*BINARY), X_BIN),
}


def _plain_joint_table(name: str, x) -> list[float]:
    """log p(x, z) for every latent value, in plain Python from the parameters above."""
    if name == "mixture":
        return [
            math.log(w)
            + sum(
                -0.5 * math.log(2 * math.pi * v) - (xi - m) ** 2 / (2 * v)
                for xi, m, v in zip(x, mu, var, strict=True)
            )
            for w, mu, var in zip(MIXTURE[0], MIXTURE[1], MIXTURE[2], strict=True)
        ]
    prior, W, b = BINARY

    def log_sig(a: float) -> float:
        return -math.log1p(math.exp(-a)) if a > 0 else a - math.log1p(math.exp(a))

    table = []
    for z in itertools.product((0, 1), repeat=len(prior)):
        lp = sum(log_sig(a) if zj else log_sig(-a) for zj, a in zip(z, prior, strict=True))
        for row, bi, xi in zip(W, b, x, strict=True):
            a = sum(wij * zj for wij, zj in zip(row, z, strict=True)) + bi
            lp += log_sig(a) if xi else log_sig(-a)
        table.append(lp)
    return table


@pytest.mark.parametrize("name", list(DISCRETE))
@given(seed=st.integers(0, 2**32 - 1), concentration=st.floats(0.05, 5.0))
def test_discrete_elbo_is_the_plain_sum_and_log_evidence_at_the_posterior(
    name, seed, concentration
):
    """categorical_elbo against Σ_z r(z)[log p(x, z) − log r(z)] from a plain-Python joint
    table (zero-probability latents included), and against log p(x) of the same plain table at
    r = p(z | x). (ELBO = log p(x) − KL(r ‖ p) is not asserted: with log p(x), p(z | x) and the
    ELBO all from one table it holds for any table.)"""
    model, x = DISCRETE[name]
    table = np.array(_plain_joint_table(name, x))
    log_px = float(logsumexp(table))
    post = np.exp(table - log_px)
    r = np.random.default_rng(seed).dirichlet(np.full(table.size, concentration))
    r = np.where(r < 1e-300, 0.0, r)
    r /= r.sum()
    pos = r > 0
    elbo = categorical_elbo(model, x, r)
    assert _close(elbo, float(np.sum(r[pos] * (table[pos] - np.log(r[pos])))), 1e-9)
    assert _close(categorical_elbo(model, x, post), log_px)


def test_a_discrete_elbo_missing_the_entropy_breaks_the_identity():
    model, x = DISCRETE["mixture"]
    r = np.array([0.3, 0.3, 0.4])
    no_entropy = float(r @ model.log_joint_table(x))
    kl = float(np.sum(r * np.log(r / model.posterior(x))))
    assert not _close(model.log_evidence(x), no_entropy + kl)


# --- Monte Carlo ELBO: unbiased for the exact ELBO ------------------------------------------


@pytest.mark.parametrize("name", list(MODELS))
@settings(max_examples=MC_EXAMPLES)
@given(data=st.data())
def test_monte_carlo_elbo_is_unbiased_for_the_closed_form(name, data):
    model, x = MODELS[name]
    q = data.draw(gaussian_qs(_latent_dim(model)))
    eps = stats.rng("mc-elbo", name, q.mu.tolist(), q.chol.tolist()).standard_normal(
        (N_DRAWS, q.mu.size)
    )
    exact = elbo_exact(model, x, q)
    stats.mean_test(elbo_samples(model, x, q, eps), exact, what="E[log p(x,z) - log q]").check()
    stats.mean_test(elbo_kl_samples(model, x, q, eps), exact, what="eq. (19) form").check()


def test_a_monte_carlo_elbo_with_the_kl_sign_flipped_is_rejected():
    model, x = MODELS["linear-gaussian"]
    q = GaussianQ(np.array([2.0, -1.0]), np.diag([0.4, 1.5]))
    eps = stats.rng("mc-elbo-bug").standard_normal((N_DRAWS, 2))
    kl = q.kl(model.prior_mean, model.prior_cov)
    wrong = elbo_kl_samples(model, x, q, eps) + 2 * kl
    outcome = stats.mean_test(wrong, elbo_exact(model, x, q))
    expect_rejected(outcome, 2 * kl, se=float(np.std(wrong, ddof=1)) / math.sqrt(N_DRAWS))


# --- IWAE -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(MODELS))
@given(data=st.data(), k=st.sampled_from([1, 2, 5, 64]))
def test_iwae_and_elbo_samples_are_log_weights_of_scipys_densities(name, data, k):
    """log (1/k) Σ_i p(x, z_i)/q(z_i) at z_i = μ + Lε_i with p and q written with scipy (for
    k = 1, the ELBO's Monte Carlo term); the weights spread over many nats, so a log of a
    mean of exp would not do."""
    model, x = MODELS[name]
    q = data.draw(gaussian_qs(_latent_dim(model)))
    eps = stats.rng("iwae-weights", name, k).standard_normal((20, k, q.mu.size))
    z = q.mu + np.einsum("ij,nkj->nki", q.chol, eps)
    flat = z.reshape(-1, q.mu.size)
    log_w = (log_joint(model, x, flat) - log_q(q, flat)).reshape(20, k)
    expected = logsumexp(log_w, axis=1) - math.log(k)
    np.testing.assert_allclose(iwae_samples(model, x, q, eps), expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(
        elbo_samples(model, x, q, eps[:, 0]), log_w[:, 0], rtol=1e-10, atol=1e-10
    )


def _log_sum_weights(model, x, q, eps):
    """Planted bug: log Σ w_i without the 1/k."""
    return iwae_samples(model, x, q, eps) + math.log(eps.shape[1])


@pytest.mark.parametrize("name", EXACT_POSTERIOR)
def test_iwae_at_the_posterior_is_log_evidence_for_every_k(name):
    model, x = MODELS[name]
    post = GaussianQ.from_cov(*model.posterior(x))
    for k in (1, 7, 100):
        eps = stats.rng("iwae-post", k).standard_normal((20, k, post.mu.size))
        assert np.allclose(
            iwae_samples(model, x, post, eps), model.log_evidence(x), rtol=EXACT_RTOL
        )
    assert not np.allclose(_log_sum_weights(model, x, post, eps), model.log_evidence(x))


def _chi_square(model: NormalNormal, x, q: GaussianQ) -> float:
    """χ²(p(z|x) ‖ q) = ∫ p(z|x)²/q(z) dz − 1 = Var(w)/p(x)², by mpmath quadrature."""
    (m,), ((v,),) = model.posterior(x)
    mu, t = float(q.mu[0]), float(q.chol[0, 0]) ** 2
    with mpmath.workdps(20):
        f = lambda z: mpmath.npdf(z, m, math.sqrt(v)) ** 2 / mpmath.npdf(z, mu, math.sqrt(t))  # noqa: E731
        return float(mpmath.quad(f, [-mpmath.inf, m, mpmath.inf]) - 1)


@settings(max_examples=MC_EXAMPLES)
@given(shift=st.floats(-1.5, 1.5), ratio=st.floats(1.1, 3.0), k=st.sampled_from([1, 4, 32]))
def test_importance_weights_are_unbiased_for_the_evidence(shift, ratio, k):
    """E[(1/k) Σ w_i] = p(x) with sd √(χ²/k): with ŝ = log mean w − log p(x) ≤ e^ŝ − 1
    pointwise, this gives L_k = log p(x) + E[ŝ] ≤ log p(x) (q wider than the posterior, so
    χ² < ∞)."""
    model, x = MODELS["normal-normal"]
    (m,), ((v,),) = model.posterior(x)
    q = GaussianQ(np.array([m + shift * math.sqrt(v)]), np.array([[math.sqrt(ratio * v)]]))
    eps = stats.rng("iwae-unbiased", shift, ratio, k).standard_normal((N_DRAWS, k, 1))
    s = iwae_samples(model, x, q, eps) - model.log_evidence(x)
    assert np.all(s <= np.expm1(s) + 1e-12)
    stats.mean_test(
        np.exp(s),
        1.0,
        sd=math.sqrt(_chi_square(model, x, q) / k),
        what="normalised importance weight",
    ).check()


def _lognormal_gap(d: float, k: int) -> float:
    """L_k − log p(x) when w/p(x) = exp(dε − d²/2): E log(1 + Δ), Δ the mean of k centred
    lognormals, expanded to O(k⁻³) with the exact moments E X^m = exp(m(m−1)d²/2)."""
    raw = [math.exp(m * (m - 1) * d * d / 2) for m in range(5)]
    central = [
        sum(math.comb(j, i) * raw[i] * (-1) ** (j - i) for i in range(j + 1)) for j in range(5)
    ]
    m2, m3, m4 = central[2], central[3], central[4]
    return (
        -m2 / (2 * k)
        + (m3 / 3 - 3 * m2**2 / 4) / k**2
        + ((3 * m2**2 - m4) / 4 + 2 * m2 * m3 - 2.5 * m2**3) / k**3
    )


@pytest.mark.parametrize("k", [16, 128])
def test_iwae_gap_closes_like_chi_square_over_2k(k):
    """q = N(m + d√v, v) on Normal–Normal makes w/p(x) lognormal: L_k has an expansion in
    1/k whose neglected O(k⁻⁴) term is ≲ 1e-5 (< 0.1 standard error). Given E e^ŝ = 1
    (tested here too, exact sd √((e^{d²} − 1)/k)), ŝ − (e^ŝ − 1) has the mean of ŝ and a far
    smaller variance (a control variate), so the gap is resolved to ~1e-5."""
    model, x = MODELS["normal-normal"]
    (m,), ((v,),) = model.posterior(x)
    d = 0.5
    q = GaussianQ(np.array([m + d * math.sqrt(v)]), np.array([[math.sqrt(v)]]))
    reps = GAP_DRAWS // k
    eps = stats.rng("iwae-gap", k).standard_normal((reps, k, 1))

    def outcomes(estimates):
        s = estimates - model.log_evidence(x)
        weights = stats.mean_test(
            np.exp(s),
            1.0,
            sd=math.sqrt(math.expm1(d * d) / k),
            what=f"mean of {k} normalised weights",
        )
        gap = stats.mean_test(s - np.expm1(s), expected, what=f"L_{k} - log p(x)")
        return weights, gap

    expected = _lognormal_gap(d, k)
    for outcome in outcomes(iwae_samples(model, x, q, eps)):
        outcome.check()
    assert -d * d / 2 < expected < 0  # L₁ = ELBO = log p(x) − d²/2 < L_k < log p(x)
    # planted bugs: dividing by k − 1 (caught by the weights), and averaging log w (the ELBO)
    if k != 16:  # at k = 128 the k − 1 bug is 11.8 standard errors: P(false pass) = 7e-9
        return
    # the weights' mean becomes k/(k − 1), its standard error grows by the same factor
    off_by_one = iwae_samples(model, x, q, eps) + math.log(k / (k - 1))
    se = math.sqrt(math.expm1(d * d) / k / reps)
    expect_rejected(outcomes(off_by_one)[0], 1 / (k - 1), se=se, se_bug=se * k / (k - 1))
    # mean of log w: ŝ ~ N(−d²/2, d²/k), so E[ŝ − (e^ŝ − 1)] = −d²/2 − e^{−d²(1 − 1/k)/2} + 1
    s_bug = elbo_samples(model, x, q, eps.reshape(-1, 1)).reshape(reps, k).mean(axis=1)
    s_bug = s_bug - model.log_evidence(x)
    gap_bug = -d * d / 2 - math.expm1(-d * d * (1 - 1 / k) / 2)
    sd_bug = float(np.std(s_bug - np.expm1(s_bug), ddof=1))  # studentised, as the test
    expect_rejected(
        outcomes(s_bug + model.log_evidence(x))[1],
        gap_bug - expected,
        se=sd_bug / math.sqrt(reps),
    )
