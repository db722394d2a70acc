"""A side SymPy evaluates to ∞ (or leaves undefined) is a failed step, said as such, even when
no numeric value can be computed (the other side holds an undefined f): the symbolic guard, not
the numeric fallback, must catch it — the fallback can only call such a step undecided."""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import Status, check_equation

mu = sp.Symbol("mu", real=True)
x = sp.Symbol("x", real=True)
f = sp.Function("f")


def test_an_infinite_side_beside_an_undefined_f_is_failed_not_undecided():
    divergent = sp.Integral(sp.exp(x**2), (x, -sp.oo, sp.oo))  # SymPy evaluates it to oo
    check = check_equation(divergent + f(mu), f(mu))
    assert check.status is Status.FAILED, check
    assert "infinite" in check.detail and "lhs" in check.detail
