"""Bonnet's and Price's theorems at D = 2 and the two-Gaussian KL for symbolic D hold step by
step with the statuses they earned, and each rejects a planted error: Price without its ½, the
off-diagonal entry in the wrong convention, the LVAE log-ratio without its ½, a term that couples
two coordinates."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp
from rtverify.derivations import gaussian_kl_pair, price_multivariate
from rtverify.derivations._common import eps, expect

from rtverify.derivation import Derivation, Status, check_equation
from rtverify.registry import derivation_modules
from rtverify.rules import NormalExpectation, coordinatewise, stein


def _only(derivation: Derivation, title_part: str) -> Derivation:
    [chain] = [c for c in derivation.chains if title_part in c.title]
    return dataclasses.replace(derivation, chains=(chain,))


def _planted(derivation: Derivation, title_part: str, step: int, rhs: sp.Expr) -> Derivation:
    """The one chain titled ``title_part``, cut after step ``step`` (1-based), whose last step
    has the wrong right-hand side ``rhs``."""
    d = _only(derivation, title_part)
    [chain] = d.chains
    steps = list(chain.steps[:step])
    steps[step - 1] = dataclasses.replace(steps[step - 1], rhs=rhs)
    return dataclasses.replace(d, chains=(dataclasses.replace(chain, steps=tuple(steps)),))


def _status_of_last_step(derivation: Derivation) -> Status:
    report = derivation.verify()
    assert report.failures or report.ok
    return report.checks[0][-1].status


@pytest.fixture(scope="module")
def price_report(report_of):
    return report_of(price_multivariate)


@pytest.fixture(scope="module")
def kl_report(report_of):
    return report_of(gaussian_kl_pair)


def test_the_multivariate_price_theorem_is_registered():
    names = {m.__name__.rsplit(".", 1)[1] for m in derivation_modules()}
    assert "price_multivariate" in names


def test_price_at_d_2_holds_proved_in_closed_form_and_under_hypotheses_for_an_abstract_f(
    price_report,
):
    assert price_report.ok, price_report.failures
    for chain, row in zip(price_report.derivation.chains, price_report.checks, strict=True):
        statuses = [check.status for check in row]
        if "any" in chain.title:  # an abstract f: Leibniz and Stein never count as proved
            assert statuses[0] is Status.HYPOTHESES, chain.title
            if chain.title.startswith("Price"):
                assert statuses == [Status.HYPOTHESES, Status.HYPOTHESES, Status.PROVED]
        else:
            assert statuses == [Status.PROVED] * len(row), chain.title
    assert price_report.count(Status.NUMERIC) == 0


@pytest.mark.parametrize(
    "title, step, factor",
    [
        ("exp(aᵀz): Price in Σ₁₁", 1, 2),  # ∂/∂Σ₁₁ E f = E ∂₁²f: the ½ dropped
        ("exp(aᵀz): Price in Σ₁₂", 1, sp.Rational(1, 2)),  # Σ₁₂ = Σ₂₁ one parameter: no ½
        ("i + j ≤ 4: Price in Σ₁₂", 1, sp.Rational(1, 2)),
        ("exp(aᵀz): the unconstrained convention", 1, 2),  # ∂/∂A₁₂: the ½ dropped
        ("Price: ∂/∂Σ₁₁", 3, 2),  # an abstract f: the pointwise step without its ½
    ],
    ids=["variance", "off-diagonal exp", "off-diagonal quartic", "unconstrained", "abstract f"],
)
def test_price_rejects_a_wrong_factor(title, step, factor):
    d = price_multivariate.derivation()
    [chain] = _only(d, title).chains
    wrong = chain.steps[step - 1].rhs * factor
    assert _status_of_last_step(_planted(d, title, step, wrong)) is Status.FAILED


def test_stein_rejects_a_divergence_that_misses_a_coordinate():
    d = price_multivariate.derivation()
    [chain] = _only(d, "Price: ∂/∂Σ₁₂").chains
    lhs, step = chain.steps[0].rhs, chain.steps[1]
    u = _stein_u(chain)
    [(e1, u1), _] = u.items()
    wrong = _against_the_weight(lhs, sp.diff(u1, e1))  # the ε₂ term dropped
    assert stein(u)(lhs, wrong).status is Status.FAILED
    assert stein(u)(lhs, step.rhs).status is Status.HYPOTHESES


def _stein_u(chain):
    """The u_j of the chain's Stein step, recovered from the Leibniz integrand."""
    integrand = chain.steps[0].rhs.function
    e1, e2 = price_multivariate._eps
    weight = sp.Mul(*(sp.exp(-(v**2) / 2) / sp.sqrt(2 * sp.pi) for v in (e1, e2)))
    body = sp.expand(sp.simplify(integrand / weight))
    return {e1: body.coeff(e1), e2: body.coeff(e2)}


def _against_the_weight(integral: sp.Integral, integrand: sp.Expr) -> sp.Integral:
    weight = sp.Mul(*(sp.exp(-(lim[0] ** 2) / 2) / sp.sqrt(2 * sp.pi) for lim in integral.limits))
    return sp.Integral(integrand * weight, *integral.limits)


# --- the two-Gaussian KL for symbolic D -------------------------------------------------


def test_the_kl_for_symbolic_d_holds_with_one_step_under_hypotheses(kl_report):
    assert kl_report.ok, kl_report.failures
    chains = kl_report.derivation.chains
    [k] = [i for i, c in enumerate(chains) if "any D: KL" in c.title]
    statuses = [check.status for check in kl_report.checks[k]]
    assert statuses == [Status.HYPOTHESES] + [Status.PROVED] * (len(statuses) - 1)
    linearity = kl_report.checks[k][0]
    assert "linearity" in linearity.method
    assert "polynomial in the coordinate" in linearity.detail  # the condition the page states
    [log_density] = [i for i, c in enumerate(chains) if "log-density" in c.title]
    assert [c.status for c in kl_report.checks[log_density]] == [Status.PROVED]


def test_the_kl_for_symbolic_d_rejects_the_lvae_log_ratio_without_its_half():
    """½ Σ_d [r_d + Δ_d²/σ_p,d² − 1] − Σ_d log r_d: LVAE's KL, which goes negative."""
    d = gaussian_kl_pair.derivation()
    title = "Diagonal pair for any D"
    [chain] = _only(d, title).chains
    total = chain.steps[2].rhs
    (term, limits) = total.function, total.limits
    logs = [t for t in sp.Add.make_args(sp.expand(term)) if t.has(sp.log)]
    wrong = sp.Sum(sp.expand(term) + sp.Add(*logs), *limits)  # −½ log r → −log r
    assert _status_of_last_step(_planted(d, title, 3, wrong)) is Status.FAILED


def test_the_log_density_for_symbolic_d_rejects_the_log_determinant_without_its_half():
    d = gaussian_kl_pair.derivation()
    title = "log-density of a diagonal Gaussian"
    [chain] = _only(d, title).chains
    wrong_start = chain.start + next(a for a in sp.Add.make_args(chain.start) if a.has(sp.Product))
    planted = dataclasses.replace(
        _only(d, title), chains=(dataclasses.replace(chain, start=wrong_start),)
    )
    assert _status_of_last_step(planted) is Status.FAILED


_D = gaussian_kl_pair.D
_d = sp.Symbol("d", integer=True, positive=True)
_e = sp.IndexedBase("epsilon", real=True)
_m = sp.IndexedBase("m", real=True)


def test_coordinatewise_certifies_a_sum_of_terms_in_one_coordinate_each_under_hypotheses():
    lhs = NormalExpectation(sp.Sum(_m[_d] * _e[_d] ** 2, (_d, 1, _D)), _e, _D)
    rhs = sp.Sum(expect(_m[_d] * eps**2), (_d, 1, _D))
    check = coordinatewise(eps)(lhs, rhs)
    assert check.status is Status.HYPOTHESES
    assert "polynomial" in check.detail
    assert check_equation(lhs, rhs, rule=coordinatewise(eps)).status is Status.HYPOTHESES


@pytest.mark.parametrize(
    "term, upper, reason",
    [
        (_e[_d] * _e[_d + 1], _D, "other than"),  # couples two coordinates
        (_e[_d] ** 2, _D - 1, "not 1"),  # not every coordinate
        (_e[_d] ** 2 + eps, _D, "only through"),  # a free ε besides ε_d
    ],
    ids=["coupled coordinates", "partial range", "free variable"],
)
def test_coordinatewise_rejects_what_fubini_does_not_give(term, upper, reason):
    lhs = NormalExpectation(sp.Sum(term, (_d, 1, upper)), _e, _D)
    rhs = sp.Sum(expect(term.xreplace({_e[_d]: eps})), (_d, 1, upper))
    check = coordinatewise(eps)(lhs, rhs)
    assert check.status is Status.FAILED and reason in check.detail, check.detail


def test_coordinatewise_rejects_a_right_side_that_is_not_the_term_against_phi():
    lhs = NormalExpectation(sp.Sum(_e[_d] ** 2, (_d, 1, _D)), _e, _D)
    wrong = sp.Sum(expect(eps**2 / 2), (_d, 1, _D))
    check = check_equation(lhs, wrong, rule=coordinatewise(eps))
    assert check.status is Status.FAILED
