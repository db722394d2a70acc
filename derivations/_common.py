"""Symbols and helpers shared by the derivation modules (small and stable on purpose).

The Gaussian in every derivation is written through its standard-normal noise: ``z = μ + σ ε``
with ``ε ∼ N(0, 1)``, and an expectation ``E_ε[f(ε)]`` is the *unevaluated* integral
``∫ f(ε) φ(ε) dε`` over the real line. Derivation steps contain these integrals; the engine
(``rtverify.derivation``) evaluates them when it checks a step, so the pages show the integral
and the check does the work. Integrating in ε rather than in z keeps SymPy fast (in z the
full-covariance KL does not finish).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

__all__ = [
    "eps",
    "eps_vector",
    "expect",
    "expect_multi",
    "mu",
    "normal_density",
    "phi",
    "rewrite_exp",
    "sigma",
]

#: Location of q = N(μ, σ²).
mu = sp.Symbol("mu", real=True)
#: Scale of q = N(μ, σ²); positive so that log σ² = 2 log σ and √(σ²) = σ simplify exactly.
sigma = sp.Symbol("sigma", positive=True)
#: Standard-normal noise ε ∼ N(0, 1), the integration variable of every expectation.
eps = sp.Symbol("epsilon", real=True)


def phi(x: sp.Expr) -> sp.Expr:
    """The standard normal density φ(x) = exp(−x²/2)/√(2π)."""
    return sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi)


def normal_density(x: sp.Expr, loc: sp.Expr, scale: sp.Expr) -> sp.Expr:
    """The density of N(loc, scale²) at x: exp(−(x−loc)²/(2 scale²)) / (scale √(2π))."""
    return sp.exp(-((x - loc) ** 2) / (2 * scale**2)) / (scale * sp.sqrt(2 * sp.pi))


def expect(f: sp.Expr, var: sp.Symbol = eps) -> sp.Integral:
    """E_{var∼N(0,1)}[f] as the unevaluated integral ∫ f φ(var) d var over ℝ."""
    return sp.Integral(f * phi(var), (var, -sp.oo, sp.oo))


def eps_vector(d: int) -> tuple[sp.Symbol, ...]:
    """Independent standard-normal coordinates ε₁, …, ε_d (real symbols)."""
    if not isinstance(d, int) or d < 1:
        raise ValueError(f"dimension must be a positive int, got {d!r}")
    return sp.symbols(f"epsilon_1:{d + 1}", real=True)


def expect_multi(f: sp.Expr, variables: Sequence[sp.Symbol]) -> sp.Integral:
    """E_{ε∼N(0,I)}[f] over the given coordinates, as one unevaluated iterated integral."""
    density = sp.Mul(*(phi(v) for v in variables))
    return sp.Integral(f * density, *((v, -sp.oo, sp.oo) for v in variables))


def rewrite_exp(expr: sp.Expr) -> sp.Expr:
    """``expr.rewrite(exp)``: SymPy integrates sin(kx), cos(kx) against φ only in this form."""
    return expr.rewrite(sp.exp)
