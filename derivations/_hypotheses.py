"""A rule for steps that use a stated hypothesis about an abstract function (e.g. F(z(θ), θ) = u).

:func:`vanishing` certifies ``lhs = rhs`` when ``lhs − rhs`` equals, by ``simplify``, a given
term that is zero *by hypothesis* (the θ-derivative of a constraint that holds for every θ, the
fundamental theorem of calculus for a named antiderivative). The algebra is checked by machine;
the hypothesis is stated, not checked. The status is *holds under stated hypotheses*
(``Status.HYPOTHESES``) when the engine has it, ``rule`` otherwise.
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Check, Rule, Status

__all__ = ["UNDER_HYPOTHESES", "vanishing"]

#: The status of a step whose remaining condition is a stated hypothesis.
UNDER_HYPOTHESES = getattr(Status, "HYPOTHESES", Status.RULE)


def vanishing(term: sp.Expr, hypothesis: str, simplifier=sp.simplify) -> Rule:
    """``lhs = rhs`` because ``lhs − rhs = term`` (checked by ``simplifier``, default
    ``sp.simplify``; no assumption-changing rewrite) and ``term = 0`` (``hypothesis``)."""
    method = f"rule: a term that vanishes by hypothesis ({hypothesis})"

    def rule(lhs: sp.Expr, rhs: sp.Expr) -> Check:
        gap = simplifier((lhs - rhs - term).doit())
        if gap != 0:
            return Check(Status.FAILED, method, f"lhs − rhs − term = {gap}, not 0")
        return Check(
            UNDER_HYPOTHESES, method, f"checked: lhs − rhs = {sp.sstr(term)}; 0 by hypothesis"
        )

    return rule
