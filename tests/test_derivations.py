"""The shipped derivations hold step by step, and each rejects a planted error by name."""

from __future__ import annotations

import dataclasses

import mpmath
import pytest
import sympy as sp
from rtverify.derivations import gaussian_kl, log_det_jacobian, pathwise_leibniz, score_identity
from rtverify.derivations._common import eps, expect, gaussian_terms, mu, sigma

from rtverify.derivation import Derivation, Status
from rtverify.display import abbreviate, unbroken
from rtverify.render import latex, render_page

#: Agreement of gaussian_terms with mpmath quadrature at 30 digits (quadrature error ≪ this).
QUADRATURE_RTOL = mpmath.mpf("1e-20")

MINE = {
    "score-identity": score_identity,
    "pathwise-leibniz": pathwise_leibniz,
    "gaussian-kl": gaussian_kl,
    "log-det-jacobian": log_det_jacobian,
}


#: Derivations every step of which is proved or holds under hypotheses about an abstract f.
NO_NUMERIC = {
    *MINE,
    "estimator-variance",
    "elbo-identity",
    "notes-errata",
    "source-documents",
}


def _chain_index(derivation: Derivation, title_part: str) -> int:
    [index] = [i for i, c in enumerate(derivation.chains) if title_part in c.title]
    return index


def _plant(derivation: Derivation, title_part: str, step: int, rhs: sp.Expr) -> Derivation:
    """The derivation reduced to one chain, cut after step ``step`` (1-based), whose last step
    has a wrong ``rhs`` (the cut spares the checks of later steps, which also fail)."""
    chain = derivation.chains[_chain_index(derivation, title_part)]
    steps = list(chain.steps[:step])
    steps[step - 1] = dataclasses.replace(steps[step - 1], rhs=rhs)
    return dataclasses.replace(derivation, chains=(dataclasses.replace(chain, steps=tuple(steps)),))


def _assert_rejected(derivation: Derivation, step: int) -> None:
    chain, why = derivation.chains[0], derivation.chains[0].steps[step - 1].why
    report = derivation.verify()
    assert not report.ok
    assert report.checks[0][step - 1].status is Status.FAILED
    assert any(
        f"chain '{chain.title}', step {step} ({why})" in failure for failure in report.failures
    ), report.failures


# ---------------------------------------------------------------------------------------------
# Every shipped derivation holds, each step proved or under stated hypotheses
# ---------------------------------------------------------------------------------------------


def test_every_shipped_derivation_holds_with_every_step_proved_or_under_hypotheses(
    derivation_reports,
):
    assert {r.derivation.slug for r in derivation_reports} >= set(MINE)
    for report in derivation_reports:
        assert report.ok, report.failures
        if report.derivation.slug not in NO_NUMERIC:
            continue  # other modules may rest a step on numeric evidence (labelled as such)
        statuses = {check.status for row in report.checks for check in row}
        assert statuses <= {Status.PROVED, Status.HYPOTHESES}, (report.derivation.slug, statuses)


def test_only_steps_about_an_abstract_f_hold_under_hypotheses(derivation_reports):
    from sympy.core.function import AppliedUndef

    for report in (r for r in derivation_reports if r.derivation.slug in NO_NUMERIC):
        for chain, row in zip(report.derivation.chains, report.checks, strict=True):
            for (lhs, step), check in zip(chain.equations(), row, strict=True):
                if check.status is Status.HYPOTHESES:
                    assert lhs.atoms(AppliedUndef) or step.rhs.atoms(AppliedUndef), step.why


def test_my_derivations_are_registered_in_order(derivation_reports):
    slugs = [r.derivation.slug for r in derivation_reports]
    assert [s for s in slugs if s in MINE] == list(MINE)
    assert [MINE[s].ORDER for s in MINE] == [1, 2, 3, 4]


def test_every_leibniz_step_is_checked_and_states_domination(derivation_reports):
    """About an abstract f a Leibniz step holds under hypotheses; about a concrete f it is
    proved by evaluating both sides (the rule's say-so is not enough)."""
    leibniz_steps = 0
    for report in (r for r in derivation_reports if r.derivation.slug in MINE):
        for chain, row in zip(report.derivation.chains, report.checks, strict=True):
            for (lhs, step), check in zip(chain.equations(), row, strict=True):
                if "Leibniz" in step.why:
                    leibniz_steps += 1
                    abstract = bool(lhs.atoms(sp.core.function.AppliedUndef))
                    assert check.status is (Status.HYPOTHESES if abstract else Status.PROVED)
                    assert any("domination" in c for c in step.conditions), step.why
    assert leibniz_steps >= 2 + 2 + 8  # score (general), pathwise (general, family)


def test_the_pages_print_the_checked_sympy_objects(derivation_reports):
    reports = {r.derivation.slug: r for r in derivation_reports}
    for slug in MINE:
        report = reports[slug]
        page = render_page(report)
        assert page.startswith("<!--") and f"# {report.derivation.title}" in page
        shown = unbroken(page)  # long displays continue on further rows
        for chain in report.derivation.chains:
            start, result = chain.result
            assert latex(abbreviate(start)) in shown and latex(abbreviate(result)) in shown
        assert "## References" in page and "Kingma, D. P. & Welling, M. (2014)" in page
        assert "The derivation holds." in page
    kl_page = render_page(reports["gaussian-kl"])
    assert latex(gaussian_kl.kl_standard_normal(mu, sigma)) in kl_page
    assert "notes eq. (20)-(22)" in kl_page


# ---------------------------------------------------------------------------------------------
# Planted errors are rejected, naming the step
# ---------------------------------------------------------------------------------------------


def test_score_identity_rejects_a_flipped_sign_in_the_sigma_score():
    d = score_identity.derivation()
    a = sp.Symbol("a", real=True)
    wrong = expect(sp.exp(a * (mu + sigma * eps)) * (1 - eps**2) / sigma)  # −(ε² − 1)/σ
    _assert_rejected(_plant(d, "exp(a*x): ∂/∂σ", 2, wrong), 2)


def test_score_identity_rejects_a_dropped_factor_in_the_closed_form():
    d = score_identity.derivation()
    a = sp.Symbol("a", real=True)
    wrong = sp.exp(a * mu + a**2 * sigma**2 / 2)  # the chain-rule factor a dropped
    _assert_rejected(_plant(d, "exp(a*x): ∂/∂μ", 1, wrong), 1)


def test_score_identity_rejects_a_leibniz_step_that_forgets_to_differentiate():
    d = score_identity.derivation()
    chain = d.chains[_chain_index(d, "Score identity in μ")]
    integral = chain.start.expr  # ∫ f q dz, not ∫ f ∂q/∂μ dz
    _assert_rejected(_plant(d, "Score identity in μ", 1, integral), 1)


def test_score_identity_rejects_a_wrong_gaussian_score():
    d = score_identity.derivation()
    chain = d.chains[_chain_index(d, "∂q/∂σ")]
    wrong = chain.steps[1].rhs * sigma  # ((z − μ)² − σ²)/σ² instead of /σ³
    _assert_rejected(_plant(d, "∂q/∂σ", 2, wrong), 2)


def test_pathwise_rejects_the_sigma_gradient_without_its_epsilon_factor():
    d = pathwise_leibniz.derivation()
    k = sp.Symbol("k", positive=True)
    wrong = expect(k * sp.cos(k * (mu + sigma * eps)))  # E[f′(z)] instead of E[ε f′(z)]
    _assert_rejected(_plant(d, "sin(k*x): pathwise ∂/∂σ", 1, wrong), 1)


def test_pathwise_rejects_a_stein_lemma_with_the_wrong_weight():
    d = pathwise_leibniz.derivation()
    a = sp.Symbol("a", real=True)
    wrong = expect(a * sp.exp(a * (mu + sigma * eps)) * eps / 2)  # ½ planted
    _assert_rejected(_plant(d, "σ analogue for f(x) = exp(a*x)", 1, wrong), 1)


def test_gaussian_kl_rejects_a_dropped_half():
    d = gaussian_kl.derivation()
    wrong = sigma**2 + mu**2 - 1 - sp.log(sigma**2)
    _assert_rejected(_plant(d, "KL(N(μ, σ²) ‖ N(0, 1))", 3, wrong), 3)


def test_gaussian_kl_rejects_log_sigma_in_place_of_log_sigma_squared():
    d = gaussian_kl.derivation()
    wrong = (sigma**2 + mu**2 - 1 - sp.log(sigma)) / 2
    _assert_rejected(_plant(d, "KL(N(μ, σ²) ‖ N(0, 1))", 3, wrong), 3)


def test_gaussian_kl_rejects_the_notes_eq_25_as_printed():
    # notes eq. (25): E_q[log q(z)] = −(D/2) Σ_d (1 + log σ_d²), without the log 2π term
    d = gaussian_kl.derivation()
    s = sp.symbols(f"sigma_1:{gaussian_kl.DIAGONAL_D + 1}", positive=True)
    as_printed = -sp.Rational(gaussian_kl.DIAGONAL_D, 2) * sum(1 + sp.log(si**2) for si in s)
    _assert_rejected(_plant(d, "E_q[log q(z)], instance D = 3", 2, as_printed), 2)


def test_gaussian_kl_rejects_the_notes_eq_25_as_printed_for_symbolic_d():
    d = gaussian_kl.derivation()
    k, big_d = sp.Symbol("d", integer=True, positive=True), gaussian_kl.D
    sigma_d = sp.IndexedBase("sigma", positive=True)[k]
    as_printed = -big_d / 2 * sp.Sum(1 + sp.log(sigma_d**2), (k, 1, big_d))
    _assert_rejected(_plant(d, "E_q[log q(z)] for any D", 1, as_printed), 1)


def test_gaussian_kl_rejects_a_sign_error_in_the_full_covariance_log_det():
    d = gaussian_kl.derivation()
    chain = d.chains[_chain_index(d, "instance k = 2: q = N")]
    right = chain.steps[1].rhs
    logs = [t for t in sp.Add.make_args(sp.expand(right)) if t.has(sp.log)]
    wrong = sp.expand(right) - 2 * sp.Add(*logs)  # ln(det Σ₁/det Σ₂)
    _assert_rejected(_plant(d, "instance k = 2: q = N", 2, wrong), 2)


def test_the_full_covariance_kl_also_holds_at_k_3():
    chain = gaussian_kl.full_covariance_chain(3)
    d = Derivation("kl-k3", "KL k = 3", "", (chain,))
    report = d.verify()
    assert report.ok and report.count(Status.PROVED) == 2, report.failures


def test_the_gaussian_entropy_also_holds_at_k_3():
    chain = gaussian_kl.entropy_chain(3)
    report = Derivation("entropy-k3", "entropy k = 3", "", (chain,)).verify()
    assert report.ok and report.count(Status.PROVED) == len(chain.steps), report.failures


def test_log_det_rejects_log_sigma_squared_for_the_diagonal_scale():
    d = log_det_jacobian.derivation()
    s = sp.symbols("sigma_1:4", positive=True)
    wrong = sum(sp.log(si**2) for si in s)
    _assert_rejected(_plant(d, "Diagonal scale z = μ + σ ⊙ ε, D = 3", 1, wrong), 1)


def test_log_det_rejects_a_change_of_variables_with_the_wrong_sign():
    d = log_det_jacobian.derivation()
    chain = d.chains[_chain_index(d, "Change of variables, Cholesky")]
    log_p_plus = chain.steps[0].rhs.func(
        *(-t if t.has(sp.Determinant) else t for t in sp.Add.make_args(chain.steps[0].rhs))
    )  # log p(ε) + log|det|
    _assert_rejected(_plant(d, "Change of variables, Cholesky", 1, log_p_plus), 1)


def test_log_det_rejects_a_triangular_determinant_that_uses_an_off_diagonal_entry():
    d = log_det_jacobian.derivation()
    l11 = sp.Symbol("L_11", real=True, nonzero=True)
    l21 = sp.Symbol("L_21", real=True)
    wrong = sp.log(sp.Abs(l11)) + sp.log(sp.Abs(l21))
    _assert_rejected(_plant(d, "Lower-triangular scale z = μ + Lε, D = 2", 1, wrong), 1)


# ---------------------------------------------------------------------------------------------
# The integration helper agrees with quadrature
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "integrand",
    [
        eps**4,
        eps**3 * sp.exp(sp.Rational(7, 10) * eps),
        eps**2 * sp.cos(3 * eps),
        (1 + eps) ** 2 * sp.sin(2 * eps + 1),
    ],
    ids=["eps^4", "eps^3 exp(0.7 eps)", "eps^2 cos(3 eps)", "(1+eps)^2 sin(2 eps + 1)"],
)
def test_gaussian_terms_agrees_with_mpmath_quadrature(integrand):
    closed = gaussian_terms(expect(integrand).rewrite(sp.exp))
    assert not closed.has(sp.Integral)
    f = sp.lambdify(eps, integrand * sp.exp(-(eps**2) / 2) / sp.sqrt(2 * sp.pi), "mpmath")
    with mpmath.workdps(30):
        reference = mpmath.quad(f, [-mpmath.inf, 0, mpmath.inf])
        re, im = sp.N(closed, 30).as_real_imag()
        value = mpmath.mpc(mpmath.mpf(str(re)), mpmath.mpf(str(im)))
        assert abs(value - reference) <= QUADRATURE_RTOL * max(1, abs(reference))


# ---------------------------------------------------------------------------------------------
# General where the page says general
# ---------------------------------------------------------------------------------------------


def test_the_diagonal_chains_are_proved_for_a_symbolic_dimension():
    d = gaussian_kl.derivation()
    chain = d.chains[_chain_index(d, "E_q[log p(z)] for any D")]
    assert gaussian_kl.D in chain.start.free_symbols and chain.start.has(sp.Sum)


def test_the_symbolic_d_prior_chain_rejects_a_dropped_variance():
    d = gaussian_kl.derivation()
    k, big_d = sp.Symbol("d", integer=True, positive=True), gaussian_kl.D
    mu_d = sp.IndexedBase("mu", real=True)[k]
    wrong = -big_d * sp.log(2 * sp.pi) / 2 - sp.Sum(mu_d**2, (k, 1, big_d)) / 2  # σ_d² dropped
    _assert_rejected(_plant(d, "E_q[log p(z)] for any D", 1, wrong), 1)


def test_the_quadratic_variance_gap_is_a_sum_of_non_negative_terms():
    from rtverify.derivations import estimator_variance

    for gap in estimator_variance.quadratic_sos().values():
        assert gap.is_nonnegative is True
        assert all(term.is_nonnegative for term in sp.Add.make_args(gap))


def test_the_kl_gap_integrand_is_non_negative_on_the_unit_interval():
    v, r = sp.Symbol("v", positive=True), sp.Symbol("r", positive=True)
    integral = gaussian_kl.kl_gap_integral(r)
    s = integral.limits[0][0]
    inside = integral.function.subs(s, v / (1 + v))  # v ∈ (0, ∞) ↦ s ∈ (0, 1)
    assert sp.simplify(inside).is_nonnegative is True


def test_the_symbolic_d_log_determinant_rejects_log_variances_for_log_scales():
    d = log_det_jacobian.derivation()
    i, big_d = (
        sp.Symbol("i", integer=True, positive=True),
        sp.Symbol("D", integer=True, positive=True),
    )
    sigma_i = sp.IndexedBase("sigma", positive=True)[i]
    wrong = sp.Sum(sp.log(sigma_i**2), (i, 1, big_d))  # Σ log σ_i² instead of Σ log σ_i
    _assert_rejected(_plant(d, "Diagonal scale for any D", 1, wrong), 1)
