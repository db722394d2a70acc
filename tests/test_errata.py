"""Each corrected claim: its correct form is proved and the source's form fails the same check.

The objects come from the registry (``rtverify.claims.errata``): the page, the derivation
``notes-errata`` / ``source-documents`` and these tests consume the same SymPy expressions.
"""

from __future__ import annotations

import pytest
import sympy as sp
from rtverify.derivations._common import mu, sigma
from rtverify.derivations.estimator_variance import theta, x_squared_variances
from rtverify.derivations.source_documents import aevb_gradients, order_of_magnitude_threshold

from rtverify.claims.errata import ERRATA, erratum
from rtverify.derivation import Status, check_equation, refute


@pytest.mark.parametrize("claim_id", ERRATA)
def test_the_correct_form_is_proved(claim_id):
    e = erratum(claim_id)
    check = check_equation(e.lhs, e.correct, prepare=e.prepare)
    assert check.status is Status.PROVED, check.detail


@pytest.mark.parametrize("claim_id", ERRATA)
def test_the_erroneous_form_fails_the_check(claim_id):
    e = erratum(claim_id)
    check = refute(e.lhs, e.erroneous)
    assert check.status is Status.FAILED, check.detail
    assert "lhs =" in check.detail and "rhs =" in check.detail  # a counterexample is named


def test_eq_46_holds_only_with_the_total_derivative(derivation_reports):
    """Notes eq. (46), σ-component: with ∇_φ through z = μ + σε it is the gradient of the ELBO
    (proved in the derivation ``source-documents``); with z held fixed the likelihood and prior
    terms vanish and the result is wrong (a counterexample)."""
    lhs, total, fixed_z = aevb_gradients(sigma)
    [report] = [r for r in derivation_reports if r.derivation.slug == "source-documents"]
    proved = [
        check.status
        for chain, row in zip(report.derivation.chains, report.checks, strict=True)
        if chain.result == (lhs, total)
        for check in row
    ]
    assert proved and all(s is Status.PROVED for s in proved)
    fixed = refute(lhs, fixed_z)
    assert fixed.status is Status.FAILED, fixed.detail


def test_example_1_5_ratio_is_below_ten_at_the_optimum():
    """'An order of magnitude smaller' holds only for φ² ≥ √74 − 7: not at the optimum φ = 0."""
    v = x_squared_variances()
    ratio = (v["score_mu"] / v["pathwise_mu"]).subs({mu: theta, sigma: 1})
    assert ratio.subs(theta, 0) == sp.Rational(15, 4)  # < 10: the claim fails at φ = 0
    assert ratio.subs(theta, 2) == sp.Rational(87, 4)  # > 10 at the notebook's θ = 2
    star = order_of_magnitude_threshold()
    assert sp.simplify(ratio.subs(theta, star) - 10) == 0
    assert sp.diff(ratio, theta).subs(theta, star) > 0  # increasing: ≥ 10 beyond the threshold
    # the blanket claim "ratio ≥ 10 for every φ" is false
    assert not all(ratio.subs(theta, t) >= 10 for t in (0, sp.Rational(1, 2), 1, 2))


# ---- claims checked beyond the formula errata ----------------------------------------------


def test_a_softmax_output_is_a_probability_vector():
    """Notes Example 1.1: softmax(a) is positive and sums to 1, for any real logits."""
    a = sp.symbols("a_1:4", real=True)
    total = sum(sp.exp(v) for v in a)
    probabilities = [sp.exp(v) / total for v in a]
    assert all(p.is_positive for p in probabilities)
    assert check_equation(sum(probabilities), sp.Integer(1)).status is Status.PROVED
    assert refute(sum(probabilities[:2]), sp.Integer(1)).status is Status.FAILED  # not 2 of 3


def test_sigma_is_the_standard_deviation_not_the_variance():
    """Notes Example 1.3 calls σ 'the variances'; with φ_σ = log σ² the sampler uses
    exp(φ_σ/2) = σ, whose square is the variance of q."""
    from rtverify.derivations._common import eps, expect, gaussian_terms

    phi_sigma = sp.log(sigma**2)
    scale = sp.exp(phi_sigma / 2)
    variance = expect((mu + scale * eps - mu) ** 2)
    assert check_equation(variance, sigma**2, prepare=gaussian_terms).status is Status.PROVED
    assert refute(variance, sigma).status is Status.FAILED


def test_the_evidence_depends_on_theta():
    """'Minimizing the KL ⟺ maximizing the ELBO w.r.t. θ' needs log p_θ(x) free of θ: in the
    Normal–Normal model (θ = m₀) it is not."""
    m0, x = sp.Symbol("m_0", real=True), sp.Symbol("x", real=True)
    s0, s = sp.Symbol("s_0", positive=True), sp.Symbol("s", positive=True)
    log_evidence = -sp.log(2 * sp.pi * (s0**2 + s**2)) / 2 - (x - m0) ** 2 / (2 * (s0**2 + s**2))
    gradient = sp.diff(log_evidence, m0)
    assert check_equation(gradient, (x - m0) / (s0**2 + s**2)).status is Status.PROVED
    assert refute(gradient, sp.Integer(0)).status is Status.FAILED


def test_the_change_of_variables_needs_a_bijection():
    """Notes Theorem 1.3 for z = ε² (not one-to-one): log p(ε) − log|dz/dε| at ε = √z is off
    by log 2 from the true log-density of z (a χ²₁ law, from its CDF)."""
    from rtverify.derivations._common import phi

    z = sp.Symbol("z", positive=True)
    e = sp.Symbol("e", real=True)
    cdf = sp.Integral(phi(e), (e, -sp.sqrt(z), sp.sqrt(z)))  # P(ε² ≤ z)
    true_density = sp.diff(cdf.doit(), z)
    formula = phi(sp.sqrt(z)) / sp.Abs(sp.diff(e**2, e).subs(e, sp.sqrt(z)))
    assert check_equation(true_density, 2 * formula).status is Status.PROVED  # two branches
    assert refute(true_density, formula).status is Status.FAILED


def test_an_inverse_cdf_sample_of_a_discrete_law_has_no_gradient():
    """Bernoulli(p) by inverse CDF: z = 1[u < p], u ∼ U(0, 1). E[z] = p has derivative 1, but
    the sample's derivative in p is a Dirac delta at u = p: zero for almost every u, so the
    pathwise estimate is 0."""
    p, u = sp.Symbol("p", positive=True), sp.Symbol("u", positive=True)
    sample = sp.Heaviside(p - u)
    mean = sp.Integral(sample, (u, 0, 1))
    assert check_equation(sp.diff(mean.doit(), p).subs(p, sp.Rational(1, 3)), 1).status is (
        Status.PROVED
    )
    per_sample = sp.diff(sample, p)
    assert per_sample.subs({p: sp.Rational(1, 3), u: sp.Rational(1, 2)}) == 0
    assert per_sample.subs({p: sp.Rational(1, 3), u: sp.Rational(1, 5)}) == 0


def test_the_notebook_estimates_judged_jointly_are_consistent():
    """Cell [64] prints grad1(x) and grad2(eps) with x = θ + ε: the two estimates share ε.
    Per-sample covariance 14 (correlation 0.75) at θ = 2; the joint statistic is 2.00 on 2
    degrees of freedom, P(χ²₂ ≥ 2.00) = 0.37: consistent."""
    import mpmath
    from rtverify.derivations._common import eps, expect, gaussian_terms

    score, path = (2 + eps) ** 2 * eps, 2 * (2 + eps)
    cov = expect(score * path) - expect(score) * expect(path)
    assert check_equation(cov, sp.Integer(14), prepare=gaussian_terms).status is Status.PROVED
    n = 1000
    sigma_mat = sp.Matrix([[87, 14], [14, 4]]) / n
    d = sp.Matrix([sp.Rational("3.86872102149") - 4, sp.Rational("4.03506045463") - 4])
    statistic = (d.T * sigma_mat.inv() * d)[0, 0]
    assert abs(statistic - sp.Rational(2005, 1000)) < sp.Rational(1, 1000)
    p_value = mpmath.exp(-mpmath.mpf(statistic) / 2)  # χ²₂ survival function
    assert 0.36 < p_value < 0.38
    assert 14 / mpmath.sqrt(87 * 4) > 0.75
