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
