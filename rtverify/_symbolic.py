"""The symbolic side of the engine: evaluating a side without unsound rewrites.

- :func:`safe_doit` evaluates integrals, derivatives and sums like ``expr.doit()``, except that
  a derivative of an integral is taken only of the integral's closed form. SymPy's own
  ``Derivative(Integral(...)).doit()`` differentiates under the integral sign -- the Leibniz
  rule, assumed without its hypotheses (it "proves" ``d/dθ ∫₀^∞ sin(θx)/x dx =
  ∫₀^∞ cos(θx) dx``). When the integral has no closed form the derivative is left unevaluated.
- :func:`is_zero` decides ``expr == 0`` with ``simplify`` and a few rewrites that respect the
  symbols' assumptions: no ``force=True`` (which would give ``log(μ²) = 2 log μ`` for real μ).
- :func:`infinite` says whether an evaluated side is infinite or undefined.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["infinite", "is_zero", "safe_doit"]


def safe_doit(expr: sp.Basic) -> sp.Basic:
    """``expr.doit()`` without differentiating under an integral sign (see the module doc)."""
    if not expr.args or isinstance(expr, (sp.Symbol, sp.Number)):
        return expr
    if isinstance(expr, sp.Derivative):
        inner = safe_doit(expr.expr)
        if inner.has(sp.Integral):
            return sp.Derivative(inner, *expr.variable_count)
        return sp.Derivative(inner, *expr.variable_count).doit()
    if isinstance(expr, sp.Integral):
        function = safe_doit(expr.function)
        if function.has(sp.Integral):
            return sp.Integral(function, *expr.limits)
        return sp.Integral(function, *expr.limits).doit()
    args = [safe_doit(a) if isinstance(a, sp.Basic) else a for a in expr.args]
    rebuilt = expr.func(*args)
    held = any(
        isinstance(d, sp.Derivative) and d.expr.has(sp.Integral)
        for d in rebuilt.atoms(sp.Derivative)
    )
    return rebuilt if held else rebuilt.doit(deep=False)


def infinite(expr: sp.Basic) -> bool:
    """Whether ``expr`` is or contains ∞, −∞, complex infinity, NaN or an ``AccumBounds``
    (SymPy's value of a limit that does not exist, e.g. of ``sin(θx)/θ`` as x → ∞)."""
    return bool(expr.has(sp.oo, -sp.oo, sp.zoo, sp.nan) or expr.atoms(sp.AccumBounds))


def is_zero(expr: sp.Expr) -> bool:
    """Whether SymPy shows ``expr == 0``: simplify, then rewrites valid under the symbols'
    assumptions (``expand_log`` and ``powsimp`` without ``force``, exp form of trig)."""
    if expr == 0:
        return True
    candidate = sp.simplify(expr)
    if candidate == 0:
        return True
    for transform in (
        lambda e: sp.expand(sp.expand_log(e)),
        lambda e: sp.simplify(sp.powsimp(sp.expand(e))),
        lambda e: sp.simplify(e.rewrite(sp.exp)),
    ):
        if transform(candidate) == 0:
            return True
    return False
