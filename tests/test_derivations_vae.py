"""The VAE derivations (two-Gaussian KL, STL, DReG, Bonnet/Price, conditional ELBO, IWAE bound,
Cholesky pathwise gradient) hold step by step — every step proved or by a rule — and each rejects
a planted error, naming the step."""

from __future__ import annotations

import dataclasses
import importlib

import pytest
import sympy as sp
from rtverify.derivations import (
    cholesky_pathwise,
    conditional_elbo,
    dreg_identity,
    gaussian_kl_pair,
    iwae_bound,
    price_theorem,
    stl_gradient,
)
from rtverify.derivations._common import eps, expect, mu, sigma

from rtverify.derivation import Derivation, Status
from rtverify.registry import derivation_modules

NEW = (
    "gaussian_kl_pair",
    "stl_gradient",
    "dreg_identity",
    "price_theorem",
    "conditional_elbo",
    "cholesky_pathwise",
    "iwae_bound",
)


def _chain_index(derivation: Derivation, title_part: str) -> int:
    [index] = [i for i, c in enumerate(derivation.chains) if title_part in c.title]
    return index


def _plant(derivation: Derivation, title_part: str, step: int, rhs: sp.Expr) -> Derivation:
    """One chain of ``derivation``, cut after step ``step`` (1-based), whose last step has a wrong
    right-hand side."""
    chain = derivation.chains[_chain_index(derivation, title_part)]
    steps = list(chain.steps[:step])
    steps[step - 1] = dataclasses.replace(steps[step - 1], rhs=rhs)
    return dataclasses.replace(derivation, chains=(dataclasses.replace(chain, steps=tuple(steps)),))


def _assert_rejected(derivation: Derivation, step: int, *, abstract: bool = False) -> None:
    """The planted step fails (a counterexample). With ``abstract`` (a step about an undefined
    function, where the engine can find no counterexample point) it is at least not
    established: 'undecided'."""
    chain = derivation.chains[0]
    report = derivation.verify()
    allowed = {Status.FAILED, Status.UNDECIDED} if abstract else {Status.FAILED}
    assert report.checks[0][step - 1].status in allowed, report.checks[0]
    assert any(f"chain '{chain.title}', step {step}" in f for f in report.failures)


@pytest.mark.parametrize("name", NEW)
def test_the_new_derivation_holds_with_every_step_proved_or_by_rule(name, report_of):
    report = report_of(importlib.import_module(f"rtverify.derivations.{name}"))
    assert report.ok, report.failures
    statuses = {check.status for row in report.checks for check in row}
    assert statuses <= {Status.PROVED, Status.RULE}, statuses


def test_the_new_derivations_are_registered():
    names = {m.__name__.rsplit(".", 1)[1] for m in derivation_modules()}
    assert set(NEW) <= names


def test_the_full_covariance_kl_free_form_holds_at_k_3_and_rejects_a_missing_off_diagonal():
    chain = gaussian_kl_pair.full_covariance_chain(3)
    d = dataclasses.replace(gaussian_kl_pair.derivation(), chains=(chain,))
    assert d.verify().ok
    rhs = chain.steps[0].rhs
    offdiag = [
        t for t in sp.Add.make_args(sp.expand(2 * rhs)) if t.has(sp.Symbol("L_21", real=True))
    ]
    wrong = sp.expand(rhs - sp.Add(*offdiag) / 2)
    _assert_rejected(_plant(d, "k = 3", 1, wrong), 1)


def test_the_pair_kl_rejects_the_arguments_swapped():
    d = gaussian_kl_pair.derivation()
    chain = d.chains[_chain_index(d, "Two diagonal")]
    closed = chain.steps[1].rhs
    swap = {}
    for i in range(1, gaussian_kl_pair.DIAGONAL_D + 1):
        for a, b in (("mu_q", "mu_p"), ("sigma_q", "sigma_p")):
            assumptions = {"real": True} if a.startswith("mu") else {"positive": True}
            sa, sb = sp.Symbol(f"{a}{i}", **assumptions), sp.Symbol(f"{b}{i}", **assumptions)
            swap[sa], swap[sb] = sb, sa
    _assert_rejected(_plant(d, "Two diagonal", 2, closed.subs(swap, simultaneous=True)), 2)


def test_the_pair_kl_rejects_the_lvae_log_ratio_without_its_half():
    """LVAE's bug: log(σ_p/σ_q) written as log(σ_p²/σ_q²) (the ½ of the log-ratio dropped)."""
    d = gaussian_kl_pair.derivation()
    chain = d.chains[_chain_index(d, "Parameterization std")]
    pq, pp = sp.symbols("p_q p_p", positive=True)
    wrong = chain.steps[0].rhs + sp.log(pp / pq)
    _assert_rejected(_plant(d, "Parameterization std", 1, wrong), 1)


def test_stl_rejects_a_score_term_with_nonzero_mean():
    d = stl_gradient.derivation()
    _assert_rejected(_plant(d, "In ε: the score ∂_σ", 2, 1 / sigma), 2)


def test_stl_rejects_a_mean_without_the_entropy_gradient():
    """E[STL in σ] is ∂σ(E f + log σ); claiming ∂σ E f alone (entropy dropped) is refuted.
    (A planted error in a step about the undefined f makes the engine's numeric fallback raise
    TypeError instead of reporting 'failed' — reported to the engine's owner.)"""
    d = stl_gradient.derivation()
    a = sp.Symbol("a", real=True)
    wrong = sp.diff(sp.exp(a * mu + a**2 * sigma**2 / 2), sigma)
    _assert_rejected(_plant(d, "f(x) = exp(a*x): E[STL] = ∂/∂σ", 1, wrong), 1)


def test_dreg_rejects_weights_not_squared():
    d = dreg_identity.derivation()
    chain = d.chains[_chain_index(d, "= E[DReG] in μ")]
    integral = chain.steps[1].rhs
    e = dreg_identity.eps_vector(dreg_identity.K)
    w_sq = integral.function
    wrong = sp.Integral(
        w_sq.replace(lambda x: x.is_Pow and x.exp == -2, lambda x: x.base**-1), *integral.limits
    )
    assert wrong != integral and e
    _assert_rejected(_plant(d, "= E[DReG] in μ", 2, wrong), 2)


def test_dreg_rejects_a_softmax_derivative_without_its_square():
    d = dreg_identity.derivation()
    z = sp.Symbol("z", real=True)
    w = dreg_identity._w_tilde(z)
    wrong = w * sp.Derivative(dreg_identity._ell(z), z)
    _assert_rejected(_plant(d, "softmax derivative", 1, wrong), 1, abstract=True)


def test_price_rejects_the_derivative_in_sigma_for_the_one_in_the_variance():
    """∂/∂σ E f = σ E f″, not ½ E f″: the σ-form planted into the exp family chain."""
    d = price_theorem.derivation()
    a = sp.Symbol("a", real=True)
    s = price_theorem.s
    wrong = expect(sp.sqrt(s) * a**2 * sp.exp(a * (mu + sp.sqrt(s) * eps)))
    _assert_rejected(_plant(d, "Price for f(x) = exp(a*x)", 1, wrong), 1)


def test_price_rejects_an_integration_by_parts_with_the_wrong_weight():
    d = price_theorem.derivation()
    chain = d.chains[_chain_index(d, "Price: ∂/∂s")]
    wrong = chain.steps[1].rhs * 2
    _assert_rejected(_plant(d, "Price: ∂/∂s", 2, wrong), 2)


def test_conditional_elbo_rejects_the_kl_to_the_unconditional_prior():
    """KL(q ‖ N(0, s₀²)) in place of KL(q ‖ p(z | c) = N(kc, s₀²)): the prior mean kc dropped."""
    d = conditional_elbo.derivation()
    chain = d.chains[_chain_index(d, "corrected eq. (47)")]
    wrong = chain.steps[1].rhs.subs(conditional_elbo.k, 0) + 0 * mu
    _assert_rejected(_plant(d, "corrected eq. (47)", 2, wrong), 2)


def test_conditional_elbo_rejects_a_gap_that_is_not_the_posterior_kl():
    d = conditional_elbo.derivation()
    chain = d.chains[_chain_index(d, "log p(x | c) = ELBO")]
    wrong = chain.steps[0].rhs + (mu - conditional_elbo.x) ** 2 / 7
    _assert_rejected(_plant(d, "log p(x | c) = ELBO", 1, wrong), 1)


def test_cholesky_pathwise_rejects_the_transposed_entry():
    """∂/∂L₂₁ is E[∂₂f ε₁]; E[∂₁f ε₂] (the transposed factor) is refuted in closed form."""
    d = cholesky_pathwise.derivation()
    chain = d.chains[_chain_index(d, "∂/∂L_21 E f = E[∂_2 f(z) ε_1]")]
    f_integral = chain.steps[0].rhs
    e1, e2 = sp.symbols("epsilon_1 epsilon_2", real=True)
    a1, a2 = sp.symbols("a_1 a_2", real=True)
    wrong = f_integral.subs({a2: a1, a1: a2}, simultaneous=True).subs(
        {e1: e2, e2: e1}, simultaneous=True
    )
    _assert_rejected(_plant(d, "∂/∂L_21 E f = E[∂_2 f(z) ε_1]", 1, wrong), 1)


def test_cholesky_pathwise_rejects_a_leibniz_step_with_the_wrong_epsilon():
    d = cholesky_pathwise.derivation()
    chain = d.chains[_chain_index(d, "∂/∂L_21 E[f(Lε)]")]
    e1, e2 = sp.symbols("epsilon_1 epsilon_2", real=True)
    integral = chain.steps[0].rhs
    wrong = sp.Integral(integral.function * e2 / e1, *integral.limits)
    _assert_rejected(_plant(d, "∂/∂L_21 E[f(Lε)]", 1, wrong), 1)


def test_iwae_bound_rejects_a_subset_mean_normalised_by_k():
    d = iwae_bound.derivation()
    w = sp.symbols("w_1:4", positive=True)
    wrong = sp.Add(*w) / 3 * sp.Rational(2, 3)  # the subset sums divided by k, not k − 1
    _assert_rejected(_plant(d, "k = 3", 1, wrong), 1)


def test_iwae_bound_rejects_a_jensen_gap_without_its_half():
    d = iwae_bound.derivation()
    a, b = sp.symbols("a b", positive=True)
    wrong = sp.log(1 + (a - b) ** 2 / (4 * a * b))
    _assert_rejected(_plant(d, "Jensen gap", 1, wrong), 1)


def test_iwae_bound_rejects_a_two_point_gap_of_the_wrong_size():
    d = iwae_bound.derivation()
    a, b = sp.symbols("a b", positive=True)
    wrong = sp.log(1 + (a - b) ** 2 / (4 * a * b)) / 2  # ½ where ¼ is due
    _assert_rejected(_plant(d, "L_2 − L_1", 1, wrong), 1)
