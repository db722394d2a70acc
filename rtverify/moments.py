"""Exact expectations under a standard normal ε, in closed form (SymPy).

:func:`normal_expectation` computes E_{ε∼N(0,1)}[g(ε)] for every g that expands into a sum of
terms

.. math:: K \\, \\varepsilon^n \\, e^{c_0 + c_1\\varepsilon + c_2\\varepsilon^2}
    \\quad (\\operatorname{Re} c_2 < \\tfrac12)
    \\qquad\\text{or}\\qquad K \\, \\varepsilon^n \\, \\mathbf 1[\\varepsilon > t],

with K, c_i, t free of ε -- polynomials, exponentials, sines and cosines (through
``rewrite(exp)``), Gaussian bumps, ``Abs`` and ``sign`` of linear arguments, and Heaviside steps.
The integral over ε is done once and for all by two classical results instead of by
``sympy.integrate`` (which takes seconds on the fourth powers needed for variance tests):

- completing the square: with s² = 1/(1 − 2c₂) and m = c₁ s²,
  E[εⁿ e^{c₁ε + c₂ε²}] = s e^{c₁² s²/2} E[(m + sη)ⁿ], η ∼ N(0, 1), and
  E[η^k] = (k − 1)!! for even k, 0 for odd k;
- truncated moments: J_n(t) = E[εⁿ 1[ε > t]] satisfies J_n = t^{n−1} φ(t) + (n − 1) J_{n−2},
  J_0 = ½ erfc(t/√2), J_1 = φ(t) (integration by parts, φ' = −εφ).

Both are checked against ``sympy.integrate`` and 50-digit mpmath quadrature in
``tests/test_testfunctions.py``. Anything else raises ``NotImplementedError``. The derivations
evaluate their integrals with their own routine (``derivations/_common.gaussian_terms``), on
purpose: two independent routes to the same Gaussian integrals.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["EPS", "heaviside_form", "normal_expectation"]

#: The standard normal variable ε of the reparameterization z = μ + σε.
EPS = sp.Symbol("epsilon", real=True)


def heaviside_form(expr: sp.Expr) -> sp.Expr:
    """Rewrite ``Abs(a)`` as a(2H(a) − 1) and ``sign(a)`` as 2H(a) − 1 (equal for a ≠ 0)."""
    expr = expr.replace(sp.Abs, lambda a: a * (2 * sp.Heaviside(a) - 1))
    return expr.replace(sp.sign, lambda a: 2 * sp.Heaviside(a) - 1)


def _gaussian_moment(k: int) -> sp.Integer:
    """E[η^k] for η ∼ N(0, 1): (k − 1)!! for even k, 0 for odd k."""
    return sp.Integer(0) if k % 2 else sp.factorial2(k - 1)


def _exp_moment(n: int, c1: sp.Expr, c2: sp.Expr) -> sp.Expr:
    """E[εⁿ exp(c₁ε + c₂ε²)] by completing the square."""
    s2 = 1 / (1 - 2 * c2)
    m = c1 * s2
    shifted = sum(
        sp.binomial(n, k) * m ** (n - k) * s2 ** sp.Rational(k, 2) * _gaussian_moment(k)
        for k in range(0, n + 1, 2)
    )
    return sp.sqrt(s2) * sp.exp(c1**2 * s2 / 2) * shifted


def _truncated_moment(n: int, t: sp.Expr) -> sp.Expr:
    """J_n(t) = E[εⁿ 1[ε > t]] by the recursion J_n = t^{n−1} φ(t) + (n − 1) J_{n−2}."""
    phi = sp.exp(-(t**2) / 2) / sp.sqrt(2 * sp.pi)
    if n == 0:
        return sp.erfc(t / sp.sqrt(2)) / 2
    if n == 1:
        return phi
    return t ** (n - 1) * phi + (n - 1) * _truncated_moment(n - 2, t)


def _term_expectation(term: sp.Expr, eps: sp.Symbol) -> sp.Expr:
    """E over ε of one product K εⁿ exp(…) H(…)."""
    coeff, exponent, steps, power = sp.Integer(1), sp.Integer(0), [], 0
    for factor in sp.Mul.make_args(term):
        base, e = factor.as_base_exp()
        if not factor.has(eps):
            coeff *= factor
        elif base == eps and e.is_Integer and e >= 0:
            power += int(e)
        elif isinstance(factor, sp.exp):
            exponent += factor.args[0]
        elif isinstance(base, sp.Heaviside) and e.is_Integer and e > 0:
            steps.append(base)  # H^k = H
        else:
            raise NotImplementedError(f"cannot take the normal expectation of {factor}")
    if steps and exponent != 0:
        raise NotImplementedError("a step times an exponential is not supported")
    if len(set(steps)) > 1:
        raise NotImplementedError("products of different steps are not supported")
    if steps:
        arg = sp.expand(steps[0].args[0])
        poly = sp.Poly(arg, eps)
        if poly.degree() != 1:
            raise NotImplementedError(f"step of a non-linear argument: {steps[0]}")
        b, a = poly.all_coeffs()
        if b.is_positive:  # H(a + bε) = 1[ε > −a/b]
            return coeff * _truncated_moment(power, -a / b)
        if b.is_negative:  # H(a + bε) = 1[ε < −a/b] = 1 − 1[ε > −a/b] (a.e.)
            t = -a / b
            return coeff * (
                _exp_moment(power, sp.Integer(0), sp.Integer(0)) - _truncated_moment(power, t)
            )
        raise NotImplementedError(f"the sign of {b} is unknown (declare symbols positive)")
    poly = sp.Poly(sp.expand(exponent), eps)
    if poly.degree() > 2:
        raise NotImplementedError(f"exponent of degree > 2 in ε: {exponent}")
    c2, c1, c0 = ([sp.Integer(0)] * 3 + poly.all_coeffs())[-3:]
    return coeff * sp.exp(c0) * _exp_moment(power, c1, c2)


def _as_poly(expr: sp.Expr, eps: sp.Symbol) -> sp.Poly:
    """``expr`` (polynomial in ε) as a Poly in ε, built bottom-up: powers of sums are never
    expanded symbolically (``Poly(expr)`` would expand (… )⁴ first and take seconds)."""
    if not expr.has(eps):
        return sp.Poly(expr, eps)
    if expr.is_Add:
        return sum((_as_poly(a, eps) for a in expr.args[1:]), _as_poly(expr.args[0], eps))
    if expr.is_Mul:
        out = _as_poly(expr.args[0], eps)
        for a in expr.args[1:]:
            out = out * _as_poly(a, eps)
        return out
    if expr.is_Pow and expr.exp.is_Integer and expr.exp >= 0:
        return _as_poly(expr.base, eps) ** int(expr.exp)
    return sp.Poly(expr, eps)


def normal_expectation(expr: sp.Expr, eps: sp.Symbol = EPS) -> sp.Expr:
    """E_{ε∼N(0,1)}[expr] in closed form (see the module docstring for the supported forms).

    Trigonometric functions are rewritten with complex exponentials, so the result may contain
    ``I``; it is real for real ``expr`` (take ``sp.re`` or the real part numerically).
    """
    expr = heaviside_form(sp.sympify(expr))
    if expr.is_polynomial(eps):  # fast path: polynomial arithmetic in ε, E εⁿ = (n − 1)!!
        poly = _as_poly(expr, eps)
        return sp.Add(*(c * _gaussian_moment(n) for (n,), c in poly.terms()))
    if expr.has(sp.sin, sp.cos, sp.sinh, sp.cosh):
        expr = expr.rewrite(sp.exp)
    expanded = sp.expand(expr, power_base=False, power_exp=False, log=False)
    return sp.Add(*(_term_expectation(t, eps) for t in sp.Add.make_args(expanded)))
