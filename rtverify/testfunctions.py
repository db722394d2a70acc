"""Test functions f with exact Gaussian expectations, gradients and estimator moments.

For z = μ + σε, ε ∼ N(0, 1), each :class:`TestFunction` knows, exactly (SymPy, through
:func:`rtverify.moments.normal_expectation`, lambdified and cached on first use):

- ``mean(μ, σ)`` = E[f(z)] and ``grad(μ, σ)`` = (∂/∂μ, ∂/∂σ) E[f(z)];
- the per-sample variances (and fourth central moments) of the two estimators' components,
  score function f(z)·(ε/σ, (ε² − 1)/σ) (notes eq. (14)–(16); Q&A eq. (1)) and pathwise
  f'(z)·(1, ε) (notes eq. (42)–(43); Q&A eq. (2)).

``smooth`` says whether the pathwise estimator is unbiased, i.e. whether differentiating under
the integral (Leibniz) is allowed. That holds when f is absolutely continuous with an a.e.
derivative f' of polynomial growth (then |f(z + h) − f(z)|/h is dominated by an integrable
function): all the smooth functions here and |z| (Lipschitz: E[sign z] = 2Φ(μ/σ) − 1 =
∂/∂μ E|z|), so ``abs`` is ``smooth=True``. The step 1[z > 0] is not continuous: its a.e.
derivative is 0, so the pathwise estimator is identically 0 while ∂/∂μ E[1[z > 0]] =
φ(μ/σ)/σ ≠ 0 -- ``smooth=False``, and :meth:`TestFunction.pathwise_expectation` ≠ ``grad``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from rtverify.estimators import location_scale
from rtverify.moments import EPS, normal_expectation

__all__ = [
    "MU",
    "SIGMA",
    "TestFunction",
    "Z",
    "bump",
    "cosine",
    "exponential",
    "family",
    "get",
]

Z = sp.Symbol("z", real=True)
MU = sp.Symbol("mu", real=True)
SIGMA = sp.Symbol("sigma", positive=True)

_Pair = tuple[float, float]
_ESTIMATORS = ("score", "pathwise")


def _components(expr: sp.Expr, dexpr: sp.Expr, estimator: str) -> tuple[sp.Expr, sp.Expr]:
    """The two per-sample components (∂μ, ∂σ) of an estimator as expressions in μ, σ, ε."""
    z = MU + SIGMA * EPS
    if estimator == "score":
        fz = expr.subs(Z, z)
        return fz * EPS / SIGMA, fz * (EPS**2 - 1) / SIGMA
    if estimator == "pathwise":
        dfz = dexpr.subs(Z, z)
        return dfz, dfz * EPS
    raise ValueError(f"estimator must be one of {_ESTIMATORS}, not {estimator!r}")


def _tidy(result: sp.Expr, polynomial: bool) -> sp.Expr:
    """Cancel symbolically where cheap (polynomials), so the lambdified form does not."""
    return sp.expand(result) if polynomial else result


@functools.cache
def _symbolic(expr: sp.Expr, dexpr: sp.Expr, quantity: str) -> tuple[sp.Expr, ...]:
    """Exact quantities as SymPy expressions in (μ, σ); cached per function and quantity.

    ``quantity``: ``mean``; ``grad``; ``<estimator>:<moment>`` with moment ``mean`` (E of the
    per-sample components), ``var`` or ``mu4`` (central moments).
    """
    polynomial = expr.is_polynomial(Z)
    if quantity == "mean":
        return (_tidy(normal_expectation(expr.subs(Z, MU + SIGMA * EPS)), polynomial),)
    if quantity == "grad":
        (mean,) = _symbolic(expr, dexpr, "mean")
        return tuple(_tidy(sp.diff(mean, s), polynomial) for s in (MU, SIGMA))
    estimator, moment = quantity.split(":")
    out = []
    for x in _components(expr, dexpr, estimator):
        m1 = normal_expectation(x)
        if moment == "mean":
            out.append(_tidy(m1, polynomial))
            continue
        power = 2 if moment == "var" else 4
        if polynomial:  # polynomial arithmetic in ε with coefficients in Q(μ, σ): cheap
            central = normal_expectation((x - sp.expand(m1)) ** power)
        else:  # a symbol for the centre keeps the expansion small
            c = sp.Symbol("c", real=True)
            central = normal_expectation((x - c) ** power).subs(c, m1)
        out.append(_tidy(central, polynomial))
    return tuple(out)


@functools.cache
def _numeric(expr: sp.Expr, dexpr: sp.Expr, quantity: str) -> Callable[..., object]:
    """The lambdified ``_symbolic(expr, dexpr, quantity)`` as ``(mu, sigma) -> tuple``."""
    exprs = _symbolic(expr, dexpr, quantity)
    return sp.lambdify((MU, SIGMA), exprs, modules=["scipy", "numpy"])


def _numpy_function(expr: sp.Expr) -> Callable[[np.ndarray], np.ndarray]:
    """A vectorised NumPy callable z ↦ expr(z) (constants broadcast to the shape of z)."""
    if not expr.has(Z):
        value = float(expr)
        return lambda z: np.full(np.shape(z), value)
    if expr.is_polynomial(Z):  # Horner form: multiplications, not np.power (slow for n > 2)
        expr = sp.horner(expr, Z)
    return sp.lambdify(Z, expr, modules="numpy")


@dataclass(frozen=True)
class TestFunction:
    """A test function f with exact Gaussian moments (see the module docstring).

    ``f``, ``df``: vectorised elementwise NumPy callables (``df`` is f' a.e.); ``expr``,
    ``dexpr``: the same as SymPy expressions in :data:`Z`, the single source of both.
    """

    __test__ = False  # not a pytest test class

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]
    smooth: bool
    expr: sp.Expr
    dexpr: sp.Expr

    def _eval(self, quantity: str, mu: float, sigma: float) -> tuple[float, ...]:
        mu, sigma = location_scale(mu, sigma)
        values = _numeric(self.expr, self.dexpr, quantity)(mu, sigma)
        return tuple(float(np.real(v)) for v in values)

    def symbolic(self, quantity: str) -> tuple[sp.Expr, ...]:
        """The exact expressions in (:data:`MU`, :data:`SIGMA`) behind a quantity."""
        return _symbolic(self.expr, self.dexpr, quantity)

    def mean(self, mu: float, sigma: float) -> float:
        """E_{z∼N(μ,σ²)}[f(z)]."""
        return self._eval("mean", mu, sigma)[0]

    def grad(self, mu: float, sigma: float) -> _Pair:
        """(∂/∂μ, ∂/∂σ) E_{z∼N(μ,σ²)}[f(z)], by differentiating the exact mean."""
        return self._eval("grad", mu, sigma)  # type: ignore[return-value]

    def score_variance(self, mu: float, sigma: float) -> _Pair:
        """Var of one score-function sample f(z)·(ε/σ, (ε² − 1)/σ), per component."""
        return self._eval("score:var", mu, sigma)  # type: ignore[return-value]

    def pathwise_variance(self, mu: float, sigma: float) -> _Pair:
        """Var of one pathwise sample f'(z)·(1, ε), per component."""
        return self._eval("pathwise:var", mu, sigma)  # type: ignore[return-value]

    def pathwise_expectation(self, mu: float, sigma: float) -> _Pair:
        """E[f'(z)·(1, ε)]: equals :meth:`grad` iff Leibniz holds (``smooth``)."""
        return self._eval("pathwise:mean", mu, sigma)  # type: ignore[return-value]

    def score_mu4(self, mu: float, sigma: float) -> _Pair:
        """Fourth central moment of one score-function sample, per component."""
        return self._eval("score:mu4", mu, sigma)  # type: ignore[return-value]

    def pathwise_mu4(self, mu: float, sigma: float) -> _Pair:
        """Fourth central moment of one pathwise sample, per component."""
        return self._eval("pathwise:mu4", mu, sigma)  # type: ignore[return-value]


def _make(name: str, expr: sp.Expr, dexpr: sp.Expr | None = None, smooth: bool = True):
    dexpr = sp.diff(expr, Z) if dexpr is None else dexpr
    return TestFunction(name, _numpy_function(expr), _numpy_function(dexpr), smooth, expr, dexpr)


def _rational(value: float | int | sp.Rational, what: str) -> sp.Rational:
    if isinstance(value, bool) or not isinstance(value, (int, float, sp.Rational)):
        raise TypeError(f"{what} must be a number, not {value!r}")
    r = sp.nsimplify(value, rational=True)
    if not r.is_finite:
        raise ValueError(f"{what} must be finite, not {value!r}")
    return r


def _times_z(k: sp.Rational) -> str:
    """k·z written compactly: ``z``, ``-z``, ``3z``, ``-z/2``, ``3z/2``."""
    sign, k = ("-", -k) if k < 0 else ("", k)
    p, q = k.as_numer_denom()
    return f"{sign}{'' if p == 1 else p}z{'' if q == 1 else f'/{q}'}"


@functools.cache
def exponential(a: float | sp.Rational) -> TestFunction:
    """f(z) = exp(a z): E f = exp(aμ + a²σ²/2) (the Gaussian moment generating function)."""
    a = _rational(a, "a")
    return _make(f"exp({_times_z(a)})", sp.exp(a * Z))


@functools.cache
def cosine(k: float | sp.Rational) -> TestFunction:
    """f(z) = cos(k z): E f = cos(kμ) exp(−k²σ²/2) (the Gaussian characteristic function)."""
    k = _rational(k, "k")
    if k <= 0:
        raise ValueError(f"k must be positive, not {k}")
    return _make(f"cos({_times_z(k)})", sp.cos(k * Z))


@functools.cache
def bump(k: float | sp.Rational) -> TestFunction:
    """f(z) = exp(−k z²), k > 0: E f = exp(−kμ²/(1 + 2kσ²)) / √(1 + 2kσ²)."""
    k = _rational(k, "k")
    if k <= 0:
        raise ValueError(f"k must be positive, not {k}")
    return _make(f"exp(-{_times_z(k).replace('z', 'z^2')})", sp.exp(-k * Z**2))


@functools.cache
def _family() -> tuple[TestFunction, ...]:
    quartic = Z**4 / 4 - Z**3 / 3 - Z**2 + 2 * Z + 1
    return (
        _make("z", Z),
        _make("z^2", Z**2),
        _make("z^3", Z**3),
        _make("z^4", Z**4),
        _make("quartic", quartic),
        exponential(1),
        exponential(sp.Rational(-1, 2)),
        _make("sin(z)", sp.sin(Z)),
        cosine(1),
        cosine(3),
        bump(sp.Rational(1, 2)),
        bump(2),
        _make("abs", sp.Abs(Z), sp.sign(Z), smooth=True),
        _make("step", sp.Heaviside(Z, 0), sp.Integer(0), smooth=False),
    )


def family() -> list[TestFunction]:
    """The standard family: polynomials, exponentials, sin/cos, Gaussian bumps, |z|, a step."""
    return list(_family())


def get(name: str) -> TestFunction:
    """The family member called ``name``; ``KeyError`` listing the names otherwise."""
    for tf in _family():
        if tf.name == name:
            return tf
    raise KeyError(f"no test function {name!r}; known: {', '.join(t.name for t in _family())}")
