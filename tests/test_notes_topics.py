"""Topics of the lecture notes beyond the Gaussian KL: the Bernoulli likelihood and ELBO
(eq. (4), (12), (26)), the conditional ELBO (eq. (47)), softmax / cross-entropy (eq. (14)) and
the indicator estimator of eq. (17), and the symbolic ELBO identity (eq. (9), (18)-(19)).

Each property is also shown to fail on a planted bug (or on the notes' formula as printed).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from _budget import expect_rejected
from hypothesis import given
from hypothesis import strategies as st
from rtverify.derivations import elbo_identity
from scipy import stats as sps

from rtverify import stats
from rtverify.categorical import (
    bernoulli_log_likelihood,
    categorical_log_likelihood,
    cross_entropy,
    indicator_log_estimate,
    softmax,
)
from rtverify.derivation import Status
from rtverify.elbo import GaussianQ, categorical_elbo, conditional_elbo, elbo_exact
from rtverify.models import (
    BinaryLatentBernoulli,
    ConditionalLinearGaussian,
    GaussianLatentBernoulli,
)

#: Float64 closed forms against 30-digit mpmath or against each other.
EXACT_RTOL = 1e-10
#: Replicates of the eq. (17) estimator: detects a bias of 0.066 sd of one replicate.
N_REPLICATES = 20_000


def _close(a: float, b: float, rtol: float = EXACT_RTOL) -> bool:
    return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))


# --- Bernoulli likelihood and the Bernoulli-decoder ELBO (eq. (4), (12), (26)) ---------------

logits = st.lists(st.floats(-60, 60), min_size=1, max_size=6)


@given(logits, st.data())
def test_bernoulli_log_likelihood_is_eq_4_computed_at_80_digits(a, data):
    x = data.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=len(a), max_size=len(a)))
    # eq. (4) literally: 1 − θ cancels to e^{−|a|} ≥ 1e-27 for |a| ≤ 60, so 80 digits leave
    # ≥ 50 correct digits (at 30 digits the reference itself was wrong at a = 53)
    with mpmath.workdps(80):
        theta = [1 / (1 + mpmath.exp(-mpmath.mpf(ai))) for ai in a]
        exact = sum(
            mpmath.log(t) if xi else mpmath.log(1 - t) for t, xi in zip(theta, x, strict=True)
        )
    assert _close(float(bernoulli_log_likelihood(x, a)), float(exact))


def test_the_naive_bernoulli_formula_in_probabilities_fails_at_large_logits():
    a, x = np.array([40.0, -3.0]), np.array([0.0, 1.0])
    theta = 1 / (1 + np.exp(-a))
    with np.errstate(divide="ignore"):
        naive = np.sum(x * np.log(theta) + (1 - x) * np.log(1 - theta))
    assert not np.isfinite(naive)  # θ rounds to 1, log(1 − θ) = −∞
    assert _close(
        float(bernoulli_log_likelihood(x, a)),
        -40.0 - math.log1p(math.exp(-40.0)) - math.log1p(math.exp(3.0)),
    )


BINARY = BinaryLatentBernoulli([0.3, -1.0], [[1.0, -0.5], [0.2, 0.3], [0.5, 2.0]], [0.1, -0.4, 0.0])
X_BIN = np.array([1.0, 0.0, 1.0])


@given(st.lists(st.floats(0.01, 0.99), min_size=2, max_size=2))
def test_mean_field_bernoulli_elbo_is_eq_19_and_at_most_the_evidence(rho):
    """E_q[log p(x|z)] − KL(q ‖ p(z)) with a closed-form Bernoulli KL equals the ELBO summed
    over the 2^k latent values, and lies below the exact log p(x) (eq. (5))."""
    rho = np.array(rho)
    values = BINARY.latent_values()
    r = np.prod(np.where(values == 1.0, rho, 1 - rho), axis=1)
    prior = 1 / (1 + np.exp(-BINARY.prior_logits))
    kl = float(np.sum(rho * np.log(rho / prior) + (1 - rho) * np.log((1 - rho) / (1 - prior))))
    expected_ll = float(r @ BINARY.log_likelihood(X_BIN, values))
    elbo = categorical_elbo(BINARY, X_BIN, r)
    assert _close(elbo, expected_ll - kl)
    assert elbo <= BINARY.log_evidence(X_BIN) + EXACT_RTOL


DECODER = GaussianLatentBernoulli(
    np.array([[1.0, 0.5], [-0.7, 0.2], [0.3, -1.0]]), np.array([0.2, -0.1, 0.4])
)


def _eq_26_as_printed(mu: np.ndarray, logvar: np.ndarray) -> float:
    """Notes eq. (26) exactly as printed: (1/L) Σ_l [nothing] + ½ Σ_d (1 + log σ² − μ² − σ²)."""
    return float(0.5 * np.sum(1 + logvar - mu**2 - np.exp(logvar)))


@given(
    st.lists(st.floats(-2, 2), min_size=2, max_size=2),
    st.lists(st.floats(-2, 1), min_size=2, max_size=2),
)
def test_eq_26_with_the_reconstruction_term_is_the_elbo_and_a_lower_bound(mu, logvar):
    mu, logvar = np.array(mu), np.array(logvar)
    q = GaussianQ.diag(mu, logvar)
    reconstruction = DECODER.expected_log_likelihood(X_BIN, q.mu, q.chol)
    corrected = reconstruction + _eq_26_as_printed(mu, logvar)
    assert _close(corrected, elbo_exact(DECODER, X_BIN, q))
    assert corrected <= DECODER.log_evidence(X_BIN) + EXACT_RTOL


def test_eq_26_as_printed_is_not_the_elbo_nor_a_lower_bound():
    """It drops E_q[log p(x | z)] (< 0 for Bernoulli data), so it exceeds the ELBO by exactly
    that term, and at q = p(z) it is 0 > log p(x)."""
    mu, logvar = np.array([0.4, -0.3]), np.array([-0.5, 0.2])
    q = GaussianQ.diag(mu, logvar)
    gap = _eq_26_as_printed(mu, logvar) - elbo_exact(DECODER, X_BIN, q)
    assert _close(gap, -DECODER.expected_log_likelihood(X_BIN, q.mu, q.chol))
    assert gap > 0.5
    assert _eq_26_as_printed(np.zeros(2), np.zeros(2)) > DECODER.log_evidence(X_BIN)


# --- conditional ELBO (eq. (47)) --------------------------------------------------------------

_g = stats.rng("conditional-model")
CONDITIONAL = ConditionalLinearGaussian(
    _g.normal(size=(3, 2)),
    _g.normal(size=(3, 2)),
    _g.normal(size=3),
    [0.5, 1.0, 1.5],
    _g.normal(size=(2, 2)),
    _g.normal(size=2),
)
X_C = np.array([0.3, -1.2, 0.8])


@given(
    st.lists(st.floats(-3, 3), min_size=2, max_size=2),
    st.lists(st.floats(-3, 3), min_size=2, max_size=2),
    st.floats(-1.5, 1.0),
    st.floats(-1.5, 1.0),
    st.floats(-1, 1),
)
def test_conditional_elbo_is_log_evidence_given_c_minus_kl(c, mu, d1, d2, off):
    c = np.array(c)
    q = GaussianQ(np.array(mu), np.array([[math.exp(d1), 0.0], [off, math.exp(d2)]]))
    evidence = CONDITIONAL.log_evidence(X_C, c)
    kl = q.kl(*CONDITIONAL.given(c).posterior(X_C))
    bound = conditional_elbo(CONDITIONAL, X_C, c, q)
    assert bound <= evidence + EXACT_RTOL
    assert _close(evidence, bound + kl)
    post = GaussianQ.from_cov(*CONDITIONAL.given(c).posterior(X_C))
    assert _close(conditional_elbo(CONDITIONAL, X_C, c, post), evidence)


def test_a_conditional_elbo_with_the_unconditional_prior_breaks_the_identity():
    c = np.array([1.0, -2.0])
    q = GaussianQ(np.array([0.5, 0.5]), np.eye(2))
    model = CONDITIONAL.given(c)
    wrong = model.expected_log_likelihood(X_C, q.mu, q.chol) - q.kl_standard_normal()
    kl = q.kl(*model.posterior(X_C))
    assert not _close(CONDITIONAL.log_evidence(X_C, c), wrong + kl)


# --- softmax, cross-entropy (eq. (1), (14)) and the indicator estimator (eq. (17)) ------------


@given(st.lists(st.floats(-1000, 1000), min_size=2, max_size=6), st.data())
def test_categorical_log_likelihood_is_minus_cross_entropy_at_30_digits(a, data):
    label = data.draw(st.integers(0, len(a) - 1))
    one_hot = np.eye(len(a))[label]
    with mpmath.workdps(30):
        exact = mpmath.mpf(a[label]) - mpmath.log(mpmath.fsum(mpmath.exp(ai) for ai in a))
    loglik = float(categorical_log_likelihood(np.array(label), a))
    assert loglik == pytest.approx(float(exact), rel=EXACT_RTOL, abs=1e-12)
    assert loglik == pytest.approx(-float(cross_entropy(one_hot, a)), rel=1e-15, abs=1e-13)
    assert float(np.sum(softmax(a))) == pytest.approx(1.0, rel=1e-14)


def test_the_naive_log_of_softmax_fails_at_large_logits():
    a = np.array([1000.0, 0.0, -5.0])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        naive = np.log(np.exp(a) / np.sum(np.exp(a)))
    assert not np.isfinite(naive[0])
    assert float(categorical_log_likelihood(np.array(0), a)) == pytest.approx(0.0, abs=1e-300)


THETA = softmax(np.array([0.2, -0.4, 1.0]))


def test_eq_17_inner_mean_is_unbiased_but_log_can_be_minus_infinity():
    """(1/K) Σ 1[y = y_k] is unbiased for θ_y (sd √(θ(1 − θ)/K)); its log is −∞ with
    probability (1 − θ_y)^K > 0, so E[eq. (17)] = −∞ < log θ_y."""
    label, k = 1, 10
    theta = float(THETA[label])
    draws = stats.rng("eq17-small").choice(3, size=(N_REPLICATES, k), p=THETA)
    est = indicator_log_estimate(label, draws)
    stats.mean_test(
        np.exp(est), theta, sd=math.sqrt(theta * (1 - theta) / k), what="mean of indicators"
    ).check()
    p0 = (1 - theta) ** k
    stats.mean_test(
        np.isneginf(est), p0, sd=math.sqrt(p0 * (1 - p0)), what="P(eq. (17) = -inf)"
    ).check()


def test_eq_17_is_biased_low_even_when_it_is_finite():
    """θ_y = ½, K = 100: P(all draws miss) = 2⁻¹⁰⁰, and E[log(N/K) | N ≥ 1] (exact binomial sum)
    is ≈ (1 − θ)/(2Kθ) = 0.005 below log θ; the estimator matches it and rejects log θ."""
    label, k, theta = 0, 100, 0.5
    n = np.arange(1, k + 1)
    pmf = sps.binom.pmf(n, k, theta) / (1 - sps.binom.pmf(0, k, theta))
    mean = float(pmf @ np.log(n / k))
    sd = math.sqrt(float(pmf @ (np.log(n / k) - mean) ** 2))
    assert mean < math.log(theta) - 0.004
    # enough replicates that log θ is rejected with P(false pass) ≤ 1e-9 (≈ 59 000: the bias is
    # ≈ 0.05 sd of one estimate; 20 000 would miss it with probability 0.16)
    bias = math.log(theta) - mean
    n = stats.sample_size_for_mean(sd, bias, power=1 - stats.ASSERTION_ALPHA)
    draws = stats.rng("eq17-large").choice(2, size=(n, k), p=[theta, 1 - theta])
    est = indicator_log_estimate(label, draws)
    stats.mean_test(est, mean, sd=sd, what="E[eq. (17)]").check()
    biased = stats.mean_test(est, math.log(theta), sd=sd)  # not unbiased for log θ
    expect_rejected(biased, -bias, se=sd / math.sqrt(n))


# --- the symbolic identity (derivations/elbo_identity.py) -------------------------------------


def test_the_elbo_identity_derivation_is_proved_step_by_step(derivation_reports):
    [report] = [r for r in derivation_reports if r.derivation.slug == "elbo-identity"]
    assert report.ok, report.failures
    assert report.count(Status.PROVED) == report.n_steps


def test_the_elbo_identity_without_the_kl_fails_at_a_point():
    """Planted bug: log p(x) = ELBO (the KL dropped) is false; shown at exact rational values
    (the engine's numeric fallback would find the same counterexample)."""
    d = elbo_identity.derivation()
    chains = {c.title.split(" (")[0]: c for c in d.chains}
    elbo_closed = chains["The ELBO in closed form"].steps[-1].rhs
    identity_chain = chains["log p(x) = ELBO(q) + KL(q ‖ p(z | x))"]
    log_evidence = identity_chain.steps[-1].rhs
    identity = identity_chain.start - log_evidence
    point = {
        sym: sp.Rational(3, 4) + i / sp.Integer(7)
        for i, sym in enumerate(sorted(identity.free_symbols | elbo_closed.free_symbols, key=str))
    }
    assert abs(float(identity.subs(point))) < 1e-12
    assert abs(float((elbo_closed - log_evidence).subs(point))) > 1e-3
