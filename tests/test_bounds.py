"""Batch-first ELBO and IWAE estimates (rtverify.bounds) against exact values on tractable
models: linear-Gaussian with K = 2 latents (exact ELBO, exact log p(x), and the exact variance of
one estimate, so each unbiasedness test is a z-test with known σ) and a Bernoulli decoder (exact
log p(x) and ELBO by Gauss–Hermite quadrature). Per-call IWAE values against mpmath with
log-weights spread over ±1e3.

Monte Carlo claims are calibrated tests (``rtverify.stats``, α = 1e-9 each); the sample sizes
come from the exact σ and the smallest bias each test must detect (``DELTA``, power 0.999).
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
import scipy.stats
from _budget import expect_rejected

from rtverify import stats
from rtverify.bounds import batched, elbo_estimate, iwae_estimate, log_mean_exp, log_weights
from rtverify.elbo import GaussianQ, elbo_exact
from rtverify.gaussian import PARAMETERIZATIONS, param_from_logvar
from rtverify.models import GaussianLatentBernoulli, LinearGaussian

#: Smallest bias (nats) of a single-sample ELBO estimate the unbiasedness tests detect with
#: power 0.999 at α = 1e-9.
DELTA = 0.1


def _linear_gaussian() -> LinearGaussian:
    W = np.array([[1.2, -0.4], [0.3, 0.9], [-0.7, 0.5]])
    return LinearGaussian(W, np.array([0.2, -0.1, 0.4]), np.array([0.5, 0.8, 1.3]))


X = np.array([[0.4, -1.0, 2.0], [1.5, 0.2, -0.3], [-0.8, 0.9, 0.1]])
MU = np.array([[0.3, -0.5], [1.0, 0.2], [-0.4, 0.6]])
LOGVAR = np.array([[-0.7, 0.2], [-1.5, -0.3], [0.4, -2.0]])


def _lg_log_likelihood(model: LinearGaussian, x: np.ndarray):
    """log N(x_b; W z + b, diag ψ) = −½ Σ_i [log 2πψ_i + (x_i − (Wz + b)_i)²/ψ_i], written out
    for z of shape (..., batch, K)."""
    const = np.sum(np.log(2 * np.pi * model.psi))

    def f(z):
        r = x - (z @ model.W.T + model.b)
        return -0.5 * (const + np.sum(r * r / model.psi, axis=-1))

    return f


def _lg_log_joint(model: LinearGaussian, x: np.ndarray):
    ll = _lg_log_likelihood(model, x)
    return lambda z: ll(z) - 0.5 * np.sum(np.log(2 * np.pi) + z * z, axis=-1)


def _exact_sd(model: LinearGaussian, x, mu, logvar, kl: str) -> float:
    """σ of one estimate: it is Y = cᵀε + εᵀAε + const with ε ∼ N(0, I), Var Y = ‖c‖² + 2 tr A²:
    log p(x | z) = const + aᵀΨ⁻¹Bε − ½ εᵀBᵀΨ⁻¹Bε with a = x − b − Wμ, B = W diag σ; the
    Monte Carlo KL adds −½‖μ + σε‖² + ½‖ε‖²."""
    s = np.exp(logvar / 2)
    B = model.W * s
    a = x - model.b - model.W @ mu
    c = B.T @ (a / model.psi)
    A = -0.5 * B.T @ (B / model.psi[:, None])
    if kl == "mc":
        c = c - s * mu
        A = A + 0.5 * np.diag(1 - s * s)
    return math.sqrt(c @ c + 2 * np.trace(A @ A))


@pytest.mark.parametrize("kl", ["analytic", "mc"])
@pytest.mark.parametrize("param", PARAMETERIZATIONS)
def test_single_sample_elbo_is_unbiased_for_the_exact_elbo_on_linear_gaussian(kl, param):
    model = _linear_gaussian()
    p = param_from_logvar(LOGVAR, param)
    sds = [_exact_sd(model, X[b], MU[b], LOGVAR[b], kl) for b in range(len(X))]
    n = stats.sample_size_for_mean(max(sds), DELTA)
    eps = stats.rng("bounds-elbo", kl, param).standard_normal((n, *MU.shape))
    values = elbo_estimate(_lg_log_likelihood(model, X), MU, p, eps, param=param, kl=kl)
    for b in range(len(X)):
        exact = elbo_exact(model, X[b], GaussianQ.diag(MU[b], LOGVAR[b]))
        assert exact < model.log_evidence(X[b])
        stats.mean_test(values[:, b], exact, sd=sds[b], what=f"ELBO[{b}] {kl}").check()


def test_the_exact_standard_deviation_of_one_elbo_estimate_is_the_sample_one():
    """The σ the z-tests above rely on, against 400 000 draws (|s/σ − 1| < 0.01)."""
    model = _linear_gaussian()
    eps = stats.rng("bounds-sd").standard_normal((400_000, *MU.shape))
    for kl in ("analytic", "mc"):
        values = elbo_estimate(_lg_log_likelihood(model, X), MU, LOGVAR, eps, kl=kl)
        for b in range(len(X)):
            sd = _exact_sd(model, X[b], MU[b], LOGVAR[b], kl)
            assert abs(values[:, b].std() / sd - 1) < 0.01


def test_an_elbo_with_the_kl_missing_its_half_is_rejected():
    """The LVAE-style bug (KL without ½) shifts the mean by KL(q ‖ p) ≥ 0.3 nats here."""
    model = _linear_gaussian()
    sd = _exact_sd(model, X[0], MU[0], LOGVAR[0], "analytic")
    n = stats.sample_size_for_mean(sd, DELTA)
    eps = stats.rng("bounds-elbo-bug").standard_normal((n, *MU.shape))
    values = elbo_estimate(_lg_log_likelihood(model, X), MU, LOGVAR, eps)
    kl = 0.5 * np.sum(MU[0] ** 2 + np.exp(LOGVAR[0]) - 1 - LOGVAR[0])
    exact = elbo_exact(model, X[0], GaussianQ.diag(MU[0], LOGVAR[0]))
    outcome = stats.mean_test(values[:, 0] - kl, exact, sd=sd)
    expect_rejected(outcome, -kl, se=sd / math.sqrt(n))  # the bug subtracts KL once more


def _bernoulli_model() -> tuple[GaussianLatentBernoulli, np.ndarray]:
    W = np.array([[1.5, -0.8], [-0.6, 1.1], [0.9, 0.7], [-1.2, 0.3]])
    return GaussianLatentBernoulli(W, np.array([0.2, -0.5, 0.1, 0.4])), np.array(
        [[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 1.0]]
    )


@pytest.mark.parametrize("kl", ["analytic", "mc"])
def test_single_sample_elbo_is_unbiased_on_the_bernoulli_decoder(kl):
    """Exact ELBO by quadrature; σ unknown, so a studentised test with n = 400 000."""
    model, x = _bernoulli_model()
    mu, logvar = MU[:2], LOGVAR[:2]
    eps = stats.rng("bounds-bernoulli", kl).standard_normal((400_000, *mu.shape))
    values = elbo_estimate(batched(model, x, "log_likelihood"), mu, logvar, eps, kl=kl)
    for b in range(len(x)):
        exact = elbo_exact(model, x[b], GaussianQ.diag(mu[b], logvar[b]))
        assert exact < model.log_evidence(x[b])
        stats.mean_test(values[:, b], exact, what=f"Bernoulli ELBO[{b}] {kl}").check()


def _iwae_means(log_joint, mu, logvar, k: int, n: int, seed) -> tuple[np.ndarray, np.ndarray]:
    eps = stats.rng("bounds-iwae", k, seed).standard_normal((k, n, *mu.shape))
    values = np.stack(
        [iwae_estimate(log_joint, mu, logvar, eps[:, i]) for i in range(0, n)], axis=0
    )
    return values.mean(0), values.std(0, ddof=1) / math.sqrt(n)


@pytest.mark.parametrize("model_name", ["linear-gaussian", "bernoulli-decoder"])
def test_iwae_means_are_ordered_l1_below_lk_below_log_evidence(model_name):
    """L_1 ≤ L_8 ≤ L_64 ≤ log p(x) (Burda et al. 2016, Theorem 1): each ordering is a
    one-sided z-test at α = 1e-9 that fails only if the violation is significant, and the gaps
    L_64 − L_1 are significantly positive (here > 20 standard errors)."""
    if model_name == "linear-gaussian":
        model, x = _linear_gaussian(), X
        log_joint = _lg_log_joint(model, x)
    else:
        model, x = _bernoulli_model()
        log_joint = batched(model, x)
    mu, logvar = MU[: len(x)], LOGVAR[: len(x)] + 1.0
    crit = stats.z_critical(stats.ASSERTION_ALPHA, two_sided=False)
    means = {k: _iwae_means(log_joint, mu, logvar, k, 2000, model_name) for k in (1, 8, 64)}
    for b in range(len(x)):
        chain = [(means[k][0][b], means[k][1][b]) for k in (1, 8, 64)]
        chain.append((model.log_evidence(x[b]), 0.0))
        for (lo, se_lo), (hi, se_hi) in itertools.pairwise(chain):
            stats.ledger.record(stats.ASSERTION_ALPHA)
            assert (lo - hi) / math.hypot(se_lo, se_hi) < crit, (b, chain)
        gap = (chain[2][0] - chain[0][0]) / math.hypot(chain[2][1], chain[0][1])
        assert gap > 20, gap


def _mp_log_mean_exp(log_w) -> float:
    with mpmath.workdps(50):
        return float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(v)) for v in log_w) / len(log_w)))


def test_iwae_agrees_with_mpmath_per_call_with_log_weights_spread_over_1e3():
    """A log-joint of ±1e3 (a naive log(mean(exp(log w))) gives inf or −inf here)."""
    rng = np.random.default_rng(21)
    mu, logvar = rng.normal(size=(4, 3)), rng.uniform(-1, 1, size=(4, 3))
    log_joint = lambda z: 1e3 * np.tanh(z.sum(-1))  # noqa: E731
    for k in (1, 2, 16, 200):
        eps = rng.standard_normal((k, 4, 3))
        value = iwae_estimate(log_joint, mu, logvar, eps)
        z = mu + np.exp(logvar / 2) * eps
        log_q = scipy.stats.norm.logpdf(z, mu, np.exp(logvar / 2)).sum(-1)
        log_w = log_joint(z) - log_q
        assert np.ptp(log_w) > 100 or k == 1
        expected = [_mp_log_mean_exp(log_w[:, b]) for b in range(4)]
        np.testing.assert_allclose(value, expected, rtol=1e-13, atol=1e-13)
    with np.errstate(over="ignore", divide="ignore"):
        naive = np.log(np.mean(np.exp(np.array([1e3, -1e3]))))
    assert not np.isfinite(naive)


def test_iwae_with_one_sample_is_the_monte_carlo_kl_elbo_estimate():
    model = _linear_gaussian()
    eps = np.random.default_rng(22).standard_normal((1, *MU.shape))
    iwae = iwae_estimate(_lg_log_joint(model, X), MU, LOGVAR, eps)
    elbo = elbo_estimate(_lg_log_likelihood(model, X), MU, LOGVAR, eps[0], kl="mc")
    np.testing.assert_allclose(iwae, elbo, rtol=1e-13)


def test_log_mean_exp_is_the_log_of_the_mean_of_the_weights():
    log_w = np.array([[-745.0, 700.0, 0.0], [3.0, 3.0, 3.0]]).T
    np.testing.assert_allclose(
        log_mean_exp(log_w, axis=0), [_mp_log_mean_exp(log_w[:, 0]), 3.0], rtol=1e-15
    )


def test_batched_stacks_a_one_data_point_model_over_the_batch():
    model = _linear_gaussian()
    z = np.random.default_rng(23).normal(size=(5, 3, 2))
    np.testing.assert_allclose(batched(model, X)(z), _lg_log_joint(model, X)(z), rtol=1e-13)
    grad = batched(model, X, "grad_log_joint")(z)
    assert grad.shape == z.shape
    np.testing.assert_allclose(grad[:, 1], model.grad_log_joint(X[1], z[:, 1]), rtol=1e-15)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: elbo_estimate(lambda z: z.sum(-1), MU, LOGVAR, np.zeros((3, 3))), "eps"),
        (lambda: elbo_estimate(lambda z: z.sum(-1), MU, LOGVAR, np.zeros((3, 2)), kl="x"), "kl"),
        (lambda: elbo_estimate(lambda z: z, MU, LOGVAR, np.zeros((3, 2))), "must return"),
        (lambda: iwae_estimate(lambda z: z.sum(-1), MU, LOGVAR, np.zeros((3, 2))), "K, batch"),
        (
            lambda: log_weights(lambda z: z.sum(-1), MU, -LOGVAR, np.zeros((3, 2)), param="std"),
            "finite",
        ),
        (lambda: log_mean_exp(np.zeros((0, 2))), "at least one"),
    ],
    ids=["eps-shape", "kl-form", "ll-shape", "iwae-eps", "bad-std", "empty"],
)
def test_bounds_reject_bad_input_with_a_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
