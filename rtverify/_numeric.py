"""Numeric evaluation of the engine's expressions at a point, with mpmath, honestly.

Used by :mod:`rtverify.derivation` only when SymPy cannot decide a step. Three rules make it
sound enough to be called *numeric evidence*:

- A derivative of an integral, ``d/dθ ∫ F(x, θ) dx``, is evaluated as the derivative of the
  *integral* -- a central difference of two quadratures -- never by differentiating under the
  integral sign (that would assume the Leibniz rule the step may be claiming).
- An integral is evaluated only when it converges absolutely: an integrand that does not decay
  at an infinite end (``|x| · |F(x)|`` not tending to 0 along ``|x| = 10², 10⁴, 10⁸``) raises
  :class:`Divergent`; quadrature whose error estimate is not small raises
  :class:`NotEvaluable`. Jumps and poles of the integrand on the range (from SymPy's
  ``continuous_domain``) are quadrature break points.
- A value that is infinite or undefined raises :class:`Divergent`; an undefined function
  ``f`` raises :class:`NotEvaluable` (it has no value) -- never ``NameError``.
"""

from __future__ import annotations

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from rtverify._symbolic import infinite

__all__ = ["Divergent", "NotEvaluable", "value"]

#: Points |x| at which an integrand on an infinite range must show decay (|x|·|F| → 0).
_TAIL_POINTS = (10**2, 10**4, 10**8)


def _heaviside(x, at_zero=0.5):
    return mpmath.mpf(1) if x > 0 else (mpmath.mpf(0) if x < 0 else mpmath.mpf(at_zero))


#: lambdify modules: mpmath, with the step functions evaluated exactly at working precision
#: (SymPy's default printers evaluate them in floating point).
_MODULES = [{"Heaviside": _heaviside, "sign": mpmath.sign}, "mpmath"]


class NotEvaluable(Exception):
    """The expression has no numeric value that this module can compute reliably."""


class Divergent(Exception):
    """A side is infinite or undefined, or an integral does not converge absolutely."""


def _to_mp(v: sp.Expr):
    v = sp.sympify(v)
    if infinite(v):
        raise Divergent(f"value {v}")
    value = v.evalf(mpmath.mp.dps)
    if value.free_symbols or not value.is_number:  # e.g. an undefined f(2)
        raise NotEvaluable(f"could not evaluate numerically: {value}")
    if infinite(value):
        raise Divergent(f"value {value}")
    return mpmath.mpmathify(complex(value) if not value.is_real else value)


def _mp_limit(limit: sp.Expr):
    if limit in (sp.oo, -sp.oo):
        return mpmath.inf if limit == sp.oo else -mpmath.inf
    return _to_mp(limit)


def _break_points(integrand: sp.Expr, var: sp.Symbol, lo, hi) -> list:
    """Finite points of (lo, hi) where SymPy finds the integrand discontinuous (poles, jumps)."""
    from sympy.calculus.util import continuous_domain

    jumps = set()  # zeros of the arguments of step-like functions, which SymPy's domain misses
    for f in integrand.atoms(sp.Heaviside, sp.sign, sp.Abs):
        try:
            jumps |= {p for p in sp.solve(f.args[0], var) if p.is_real}
        except (NotImplementedError, ValueError, TypeError):
            pass
    jumps = sorted(_to_mp(p).real for p in jumps)
    try:
        domain = continuous_domain(integrand, var, sp.S.Reals)
    except (NotImplementedError, ValueError, TypeError):
        return [p for p in jumps if lo < p < hi]
    gaps = sp.S.Reals - domain
    if not isinstance(gaps, sp.FiniteSet):
        if gaps == sp.S.EmptySet:
            return []
        raise NotEvaluable(f"integrand is undefined on a set that is not finite: {gaps}")
    points = sorted({*(_to_mp(p).real for p in gaps if p.is_real), *jumps})
    return [p for p in points if lo < p < hi]


def _check_tail(f, end, name: str) -> None:
    """Raise :class:`Divergent` when ``|x| · |f(x)|`` does not tend to 0 at the infinite end."""
    sign = 1 if end == mpmath.inf else -1
    try:
        sizes = [abs(mpmath.mpf(r) * f(sign * mpmath.mpf(r))) for r in _TAIL_POINTS]
    except (ZeroDivisionError, OverflowError, ValueError):
        raise NotEvaluable(f"integrand cannot be evaluated far out ({name} → {end})") from None
    if any(mpmath.isnan(s) or mpmath.isinf(s) for s in sizes) or (
        sizes[-1] > mpmath.mpf(10) ** -10 and sizes[-1] > sizes[0] / 1000
    ):
        raise Divergent(
            f"the integral in {name} does not converge absolutely: |{name}|·|integrand| at "
            f"{name} = {'−' if sign < 0 else ''}10^8 is {mpmath.nstr(sizes[-1], 3)}"
        )


def _quadrature(integral: sp.Integral):
    """An integral with numeric limits and integrand (no free symbols but its variables)."""
    if any(len(lim) != 3 for lim in integral.limits):
        raise NotEvaluable("indefinite integral")
    if integral.function.has(sp.Integral, sp.Derivative):
        raise NotEvaluable("nested integral or derivative inside an integral")
    variables = [lim[0] for lim in integral.limits]
    f = sp.lambdify(variables, integral.function, modules=_MODULES)
    ranges = []
    for var, lo, hi in integral.limits:
        a, b = _mp_limit(lo), _mp_limit(hi)
        if len(variables) == 1:
            breaks = _break_points(integral.function, var, a, b)
            for end in (a, b):
                if mpmath.isinf(end):
                    _check_tail(f, end, str(var))
        else:  # tails checked along each axis with the other coordinates at a generic point
            others = {v: mpmath.mpf("0.37") for v in variables if v != var}
            axis = sp.lambdify(var, integral.function.subs(others), modules=_MODULES)
            for end in (a, b):
                if mpmath.isinf(end):
                    _check_tail(axis, end, str(var))
            breaks = []
        if a < 0 < b and 0 not in breaks:
            breaks = sorted([*breaks, mpmath.mpf(0)])
        ranges.append([a, *breaks, b])
    try:
        result, error = mpmath.quad(f, *ranges, error=True)
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        raise NotEvaluable(f"quadrature failed: {exc}") from None
    if mpmath.isnan(result) or mpmath.isinf(result):
        raise Divergent("quadrature returned an infinite value")
    if error > mpmath.mpf(10) ** (-(mpmath.mp.dps * 2) // 3) * max(1, abs(result)):
        raise NotEvaluable(f"quadrature did not converge (error estimate {mpmath.nstr(error, 3)})")
    return result


def _derivative_of_integral(d: sp.Derivative, point: dict):
    """``d/dθ G(θ)`` where G contains an integral: a central difference of G's values."""
    [(theta, order)] = d.variable_count
    if order != 1 or theta not in point:
        raise NotEvaluable("only first derivatives of integrals in a free parameter")
    h = mpmath.mpf(10) ** (-(mpmath.mp.dps // 3))
    at = _to_mp(point[theta])

    def g(t):
        return value(d.expr, {**point, theta: sp.Float(t, mpmath.mp.dps)})

    with mpmath.workdps(mpmath.mp.dps + 10):
        return (g(at + h) - g(at - h)) / (2 * h)


def value(expr: sp.Expr, point: dict):
    """The value of ``expr`` at ``point`` (a dict symbol → number), at the current mpmath
    precision. Raises :class:`Divergent` or :class:`NotEvaluable` (never anything else on a
    mathematical problem)."""
    expr = sp.sympify(expr)
    if expr.atoms(AppliedUndef):
        names = ", ".join(sorted({str(a.func) for a in expr.atoms(AppliedUndef)}))
        raise NotEvaluable(f"contains the undefined function(s) {names}: no numeric value")
    # derivatives of integrals first, by finite differences of the integral itself
    outer = [d for d in expr.atoms(sp.Derivative) if d.expr.has(sp.Integral)]
    outer = [d for d in outer if not any(d != o and o.has(d) for o in outer)]
    values = {d: _derivative_of_integral(d, point) for d in outer}
    dummies = {d: sp.Dummy("d") for d in outer}
    expr = expr.xreplace(dummies)
    # the remaining derivatives act on closed forms: SymPy differentiates them exactly
    expr = expr.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit())
    expr = expr.subs(point)
    integrals = {}
    for integral in expr.atoms(sp.Integral):
        v = mpmath.mpmathify(_quadrature(integral))
        integrals[integral] = sp.Float(v.real, mpmath.mp.dps) + sp.I * sp.Float(
            v.imag, mpmath.mp.dps
        )
    for d, dummy in dummies.items():
        v = mpmath.mpmathify(values[d])
        integrals[dummy] = sp.Float(v.real, mpmath.mp.dps) + sp.I * sp.Float(v.imag, mpmath.mp.dps)
    return _to_mp(expr.xreplace(integrals))
