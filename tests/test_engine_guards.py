"""The engine's symbolic guards. A side SymPy evaluates to ∞ (or leaves undefined) is a failed
step, said as such, even when no numeric value can be computed (the other side holds an
undefined f): the symbolic guard, not the numeric fallback, must catch it — the fallback can
only call such a step undecided. And a derivative of an integral is never taken under the
integral sign by SymPy's own ``doit``."""

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


def test_safe_doit_leaves_the_derivative_of_an_integral_without_closed_form_unevaluated():
    # d/dθ ∫₀¹ f(x) e^{θx} dx has no closed form (f is undefined); differentiating under the
    # sign would be SymPy's Leibniz rule taken without its hypotheses (rtverify._symbolic)
    from rtverify._symbolic import safe_doit

    theta = sp.Symbol("theta", real=True)
    expr = sp.Derivative(sp.Integral(f(x) * sp.exp(theta * x), (x, 0, 1)), theta)
    out = safe_doit(expr)
    assert isinstance(out, sp.Derivative) and isinstance(out.expr, sp.Integral), out
    # a closed form is differentiated: ∫₀¹ e^{θx} dx = (e^θ − 1)/θ
    closed = safe_doit(sp.Derivative(sp.Integral(sp.exp(theta * x), (x, 0, 1)), theta))
    assert not closed.has(sp.Integral, sp.Derivative)
