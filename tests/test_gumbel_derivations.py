"""The Gumbel-max and Gumbel-softmax derivations hold and reject planted errors."""

from __future__ import annotations

import sympy as sp
from rtverify.derivations import gumbel_max, gumbel_softmax
from rtverify.derivations.gumbel_softmax import gumbels, logits, relaxed_sample, t, tau

from rtverify.derivation import Status, check_equation, refute


def test_gumbel_max_and_gumbel_softmax_hold_with_every_step_proved(report_of):
    for module in (gumbel_max, gumbel_softmax):
        report = report_of(module)
        assert report.ok, report.failures
        assert {c.status for row in report.checks for c in row} == {Status.PROVED}


def test_a_wrong_categorical_law_is_rejected():
    [k3] = [c for c in gumbel_max.derivation().chains if c.title.startswith("K = 3")]
    assert check_equation(k3.start, gumbel_max.pi1**2).status is Status.FAILED


def test_a_wrong_logistic_scale_is_rejected():
    [race] = [c for c in gumbel_softmax.derivation().chains if "logistic" in c.title]
    assert check_equation(race.start, 1 / (1 + sp.exp(-2 * t))).status is Status.FAILED


def test_softmax_without_the_temperature_breaks_the_logistic_log_ratio():
    # softmax(l + g) at τ ≠ 1: τ log(y₁/y₂) − (l₁ − l₂) is no longer g₁ − g₂
    y = [v.subs(tau, 1) for v in relaxed_sample()]
    (l1, l2, _), (g1, g2, _) = logits, gumbels
    lhs = tau * sp.log(y[0] / y[1]) - (l1 - l2)
    assert refute(lhs, g1 - g2).status is Status.FAILED
