"""Symbols and helpers shared by the derivation modules (small and stable on purpose).

The Gaussian in every derivation is written through its standard-normal noise: ``z = μ + σ ε``
with ``ε ∼ N(0, 1)``, and an expectation ``E_ε[f(ε)]`` is the *unevaluated* integral
``∫ f(ε) φ(ε) dε`` over the real line. Derivation steps contain these integrals; the engine
(``rtverify.derivation``) evaluates them when it checks a step, so the pages show the integral
and the check does the work. Integrating in ε rather than in z keeps SymPy fast (in z the
full-covariance KL does not finish).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from rtverify._symbolic import safe_doit

__all__ = [
    "TestFunction",
    "eps",
    "eps_vector",
    "expect",
    "expect_multi",
    "family",
    "gaussian_terms",
    "log_normal_density",
    "lower_triangular",
    "mu",
    "normal_density",
    "phi",
    "rewrite_exp",
    "sigma",
    "split_sums",
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


def log_normal_density(z: sp.Matrix, loc: sp.Matrix, cov: sp.Matrix) -> sp.Expr:
    """log N(z; loc, cov) = −(k/2) log 2π − ½ log det cov − ½ (z − loc)ᵀ cov⁻¹ (z − loc)."""
    k = cov.shape[0]
    d = z - loc
    quad = (d.T * cov.inv() * d)[0, 0]
    return -sp.Rational(k, 2) * sp.log(2 * sp.pi) - sp.log(cov.det()) / 2 - quad / 2


def lower_triangular(name: str, d: int, *, positive_diagonal: bool = True) -> sp.Matrix:
    """A d×d lower-triangular matrix of symbols ``name_ij`` (real; diagonal positive, as for a
    Cholesky factor, unless ``positive_diagonal=False``, then merely non-zero)."""

    def entry(i: int, j: int) -> sp.Expr:
        if j > i:
            return sp.Integer(0)
        if i == j:
            if positive_diagonal:
                return sp.Symbol(f"{name}_{i + 1}{j + 1}", positive=True)
            return sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True, nonzero=True)
        return sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True)

    return sp.Matrix(d, d, entry)


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


_t = sp.Dummy("t", real=True)


@functools.cache
def _moment(n: int) -> sp.Expr:
    """M_n = ∫_ℝ tⁿ exp(−t²/2) dt: M_0 and M_1 by SymPy, then M_n = (n − 1) M_{n−2}
    (integration by parts with u = t^{n−1}, v′ = t exp(−t²/2); the boundary term
    t^{n−1} exp(−t²/2) vanishes at ±∞). Cached, and two integrations per process at most: each
    derivation is checked in a process of its own, where SymPy's integrals would be redone."""
    if n < 2:
        return sp.integrate(_t**n * sp.exp(-(_t**2) / 2), (_t, -sp.oo, sp.oo))
    return (n - 1) * _moment(n - 2)


def _gaussian_factor(factor: sp.Expr, var: sp.Symbol) -> sp.Expr | None:
    """``∫_ℝ P(v) exp(−v²/2 + b v + c) dv`` for a polynomial P, by completing the square:
    ``exp(c + b²/2) ∫ P(u + b) exp(−u²/2) du`` (for non-real b this is the contour shift,
    valid because the integrand is entire and decays like a Gaussian). None if not of this
    form."""
    parts = sp.Mul.make_args(sp.powsimp(factor, combine="exp"))
    exps = [f for f in parts if isinstance(f, sp.exp)]
    poly = sp.Mul(*(f for f in parts if not isinstance(f, sp.exp)))
    if len(exps) != 1 or not poly.is_polynomial(var) or not exps[0].args[0].is_polynomial(var):
        return None
    exponent = sp.Poly(sp.expand(exps[0].args[0]), var)
    if exponent.degree() != 2 or exponent.coeff_monomial(var**2) != sp.Rational(-1, 2):
        return None
    b, c = exponent.coeff_monomial(var), exponent.coeff_monomial(1)
    shifted = sp.Poly(sp.expand(poly.subs(var, var + b)), var)
    value = sum(coeff * _moment(n) for (n,), coeff in shifted.terms())
    return sp.exp(c + b**2 / 2) * value


@functools.cache
def _integrate_factor(factor: sp.Expr, limit: tuple) -> sp.Expr:
    """One-dimensional integral of one factor (cached: the same moments recur in many steps)."""
    var, lo, hi = limit
    if (lo, hi) == (-sp.oo, sp.oo):
        value = _gaussian_factor(factor, var)
        if value is not None:
            return value
    return sp.integrate(factor, limit)


def _split_integral(integral: sp.Integral) -> sp.Expr:
    variables = [lim[0] for lim in integral.limits]
    limits = {lim[0]: tuple(lim) for lim in integral.limits}
    if any(len(lim) != 3 for lim in limits.values()):
        return integral
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(integral.function)):
        coeff, rest = term.as_independent(*variables, as_Add=False)
        per_var: dict[sp.Symbol, sp.Expr] = {v: sp.Integer(1) for v in variables}
        for factor in sp.Mul.make_args(rest):
            inside = [v for v in variables if factor.has(v)]
            if len(inside) != 1:  # a factor coupling two variables: leave it to SymPy
                return integral
            per_var[inside[0]] *= factor
        value = coeff
        for v in variables:
            value *= _integrate_factor(per_var[v], limits[v])
        total += value
    return total


def gaussian_terms(expr: sp.Expr) -> sp.Expr:
    """Evaluate every definite integral in ``expr`` by linearity and Fubini.

    The integrand is expanded (``exp(a + b) = exp(a) exp(b)`` included); each term is split
    into a constant times a product of one-variable factors, and each factor is integrated
    alone (cached): a factor ``P(v) exp(−v²/2 + b v + c)`` over ℝ by completing the square and
    SymPy's Gaussian moments ``∫ vⁿ exp(−v²/2) dv``, anything else by ``sp.integrate``. Valid
    for the Gaussian-weighted integrands of the derivations, where every term is absolutely
    integrable. Derivatives are then evaluated -- a derivative of an integral only through the
    integral's closed form (``safe_doit``: never under the integral sign) -- and the result
    expanded, so that most true
    steps are exactly 0 before ``simplify`` is called. Use as a step's ``prepare``: it turns
    seconds of SymPy pattern matching on one big integrand into a few cached moment integrals.

    Deliberately independent of :func:`rtverify.moments.normal_expectation`, which computes the
    exact moments the numeric reference is tested against: the derivations must not share an
    integrator with the code they cross-check (each route is tested against quadrature).
    """
    evaluated = expr.replace(lambda e: isinstance(e, sp.Integral), _split_integral)
    return sp.expand(safe_doit(evaluated))


#: Argument of the test functions f(x).
x = sp.Symbol("x", real=True)


@dataclass(frozen=True)
class TestFunction:
    """A test function f with its Gaussian mean E[f(μ + σε)] in closed form (a claim that the
    derivations check, not an input they trust) and the ``prepare`` its integrals need."""

    __test__ = False  # not a pytest class

    name: str
    f: sp.Lambda
    mean: sp.Expr  # E_{ε∼N(0,1)}[f(μ + σε)] as a function of μ, σ
    prepare: Callable[[sp.Expr], sp.Expr]


def _trig_prepare(expr: sp.Expr) -> sp.Expr:
    return gaussian_terms(rewrite_exp(expr))


def family() -> tuple[TestFunction, ...]:
    """The functions every gradient identity is checked on: a quartic with symbolic
    coefficients c₀…c₄, exp(a x), sin(k x), cos(k x) (a real, k > 0)."""
    c = sp.symbols("c_0:5", real=True)
    a = sp.Symbol("a", real=True)
    k = sp.Symbol("k", positive=True)
    damp = sp.exp(-(k**2) * sigma**2 / 2)
    quartic_mean = (
        c[0]
        + c[1] * mu
        + c[2] * (mu**2 + sigma**2)
        + c[3] * (mu**3 + 3 * mu * sigma**2)
        + c[4] * (mu**4 + 6 * mu**2 * sigma**2 + 3 * sigma**4)
    )
    return (
        TestFunction(
            "quartic",
            sp.Lambda(x, sum(ci * x**i for i, ci in enumerate(c))),
            quartic_mean,
            gaussian_terms,
        ),
        TestFunction(
            "exp",
            sp.Lambda(x, sp.exp(a * x)),
            sp.exp(a * mu + a**2 * sigma**2 / 2),
            gaussian_terms,
        ),
        TestFunction("sin", sp.Lambda(x, sp.sin(k * x)), sp.sin(k * mu) * damp, _trig_prepare),
        TestFunction("cos", sp.Lambda(x, sp.cos(k * x)), sp.cos(k * mu) * damp, _trig_prepare),
    )


def _split_sum(total: sp.Sum) -> sp.Expr:
    """Σ_d (a + b) = Σ_d a + Σ_d b, Σ_d c·g_d = c Σ_d g_d (c free of d), Σ_{d=lo}^{hi} c =
    (hi − lo + 1) c."""
    (index, low, high), *more = total.limits
    if more:
        return total
    out = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(sp.expand_log(total.function))):
        coeff, rest = term.as_independent(index, as_Add=False)
        out += coeff * (sp.Sum(rest, (index, low, high)) if rest != 1 else high - low + 1)
    return out


def _log_product(expr: sp.Expr) -> sp.Expr:
    """log ∏_d f_d = Σ_d log f_d, only where SymPy knows every f_d > 0."""
    product = expr.args[0]
    if isinstance(product, sp.Product) and product.function.is_positive:
        return sp.Sum(sp.log(product.function), *product.limits)
    return expr


def split_sums(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every finite sum over a (symbolic) range split term by term, for a step's
    ``prepare``: integrals inside are evaluated first (:func:`gaussian_terms`), logs expanded
    without ``force`` (``log ∏_d f_d = Σ_d log f_d`` only for f_d > 0), then each sum is split by
    linearity into sums of single terms with the factors free of the index taken out. Two sides
    equal term by term then cancel exactly, where ``simplify`` on whole sums takes seconds."""
    expr = expr.replace(lambda e: isinstance(e, sp.Integral), gaussian_terms)
    expr = sp.expand(sp.expand_log(expr))
    expr = expr.replace(lambda e: isinstance(e, sp.log), _log_product)
    return sp.expand(expr.replace(lambda e: isinstance(e, sp.Sum), _split_sum))
