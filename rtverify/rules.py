"""Explicit rules: steps proved from side conditions that a machine checks.

A rule is used where ``simplify(lhs - rhs) == 0`` is the wrong tool: a step about an integral of
an *undefined* function ``f`` (which SymPy cannot integrate), or a step whose validity rests on
a structural condition (the integration limits must not depend on the parameter). Each rule
returns a :class:`~rtverify.derivation.Check`: ``failed`` (with the reason) when a
machine-checkable condition does not hold; otherwise ``hypotheses`` -- *holds under stated
hypotheses* -- when analytic conditions remain that no machine checked (domination of the
derivative by an integrable function, decay at infinity; they are stated in the step's
``conditions``), or ``proved`` when the rule leaves nothing unchecked (equal integrands, an
affine change of variables). A rule alone decides only steps about an abstract ``f``: the
engine evaluates both sides of a step about a concrete integrand whatever the rule says.

- :func:`leibniz` -- differentiation under the integral sign (Leibniz rule),
  ``d/dθ ∫ F(x, θ) dx = ∫ ∂F/∂θ dx`` (notes eq. (30)-(31); Kingma & Welling 2014, Sec. 2.4).
- :func:`pointwise` -- ``∫ A dx = ∫ B dx`` over the same domain because ``A = B`` pointwise.
- :func:`substitution` -- the affine change of variables ``x = g(t)``,
  ``∫_ℝ F(x) dx = ∫_ℝ F(g(t)) g'(t) dt`` with ``g' > 0`` (notes eq. (29), (39)).
- :func:`integration_by_parts` -- ``∫_ℝ u v' dx = −∫_ℝ u' v dx`` when ``u v → 0`` at ±∞
  (Stein's lemma for a general f).
- :func:`stein` -- Gaussian integration by parts in each coordinate of ε ∼ N(0, I_D),
  ``E[Σ_j u_j(ε) ε_j] = E[Σ_j ∂u_j/∂ε_j]`` (Stein's lemma per coordinate).
- :func:`coordinatewise` -- ``E_{ε∼N(0, I_D)}[Σ_{d=1}^D g_d(ε_d)] = Σ_{d=1}^D E_{ε∼N(0,1)}[g_d(ε)]``
  for a symbolic dimension D, the D-dimensional expectation written :class:`NormalExpectation`.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef

from rtverify.derivation import Check, Rule, Status

__all__ = [
    "NormalExpectation",
    "coordinatewise",
    "integration_by_parts",
    "leibniz",
    "pointwise",
    "stein",
    "substitution",
]


def _parameter_domain(parameter: sp.Symbol) -> sp.Set:
    if parameter.is_positive:
        return sp.Interval.open(0, sp.oo)
    if parameter.is_nonnegative:
        return sp.Interval(0, sp.oo)
    return sp.S.Reals


def _discontinuity(function: sp.Expr, parameter: sp.Symbol) -> str | None:
    """Why ``function`` may fail to be continuous in ``parameter`` (every other symbol, the
    integration variables included, held at a generic value), or None when SymPy shows it is
    continuous on the parameter's whole domain. Undefined functions ``f`` are replaced by
    generic constants: their continuity is a stated hypothesis, the rest is checked."""
    from sympy.calculus.util import continuous_domain

    generic = {a: sp.Dummy("f_value", real=True) for a in function.atoms(AppliedUndef)}
    concrete = function.xreplace(generic)
    domain = _parameter_domain(parameter)
    try:
        continuous = continuous_domain(concrete, parameter, domain)
    except (NotImplementedError, ValueError, TypeError) as exc:
        return f"SymPy cannot show that the integrand is continuous in {parameter} ({exc})"
    if continuous != domain:
        gaps = domain - continuous
        return f"integrand is not continuous in {parameter}: it jumps or blows up on {gaps}"
    return None


def _zero(expr: sp.Expr) -> bool:
    """Whether ``expr`` simplifies to 0 (derivatives of undefined functions included)."""
    expr = sp.sympify(expr).doit()
    return expr == 0 or sp.simplify(expr) == 0 or sp.simplify(sp.expand(expr)) == 0


def _vanishes(expr: sp.Expr, var: sp.Symbol, end: sp.Expr) -> bool:
    """Whether SymPy shows ``expr → 0`` as ``var → end`` (False when it cannot tell)."""
    try:
        return sp.limit(expr, var, end) == 0
    except (NotImplementedError, ValueError, TypeError):
        return False


def _fail(method: str, why: str) -> Check:
    return Check(Status.FAILED, method, why)


def leibniz(parameter: sp.Symbol) -> Rule:
    """Differentiation under the integral sign with respect to ``parameter``.

    Proves ``Derivative(Integral(F, *limits), θ) = Integral(G, *limits)`` after checking by
    machine that (1) the left side is a first derivative in θ of an integral, (2) no integration
    limit depends on θ (so no boundary terms arise), (3) the right side integrates over exactly
    the same limits, (4) ``G = ∂F/∂θ`` (simplify), and (5) for every value of the integration
    variables, ``F`` is continuous in θ on θ's whole domain (SymPy's ``continuous_domain``; a
    jump such as atan(1/z) at z = 0, with z depending on θ, is rejected, and so is an integrand
    whose continuity SymPy cannot show). Status ``hypotheses``: absolute continuity in θ and
    domination of ``∂F/∂θ`` by an integrable function uniformly for θ near its value -- and,
    for an undefined ``f``, its differentiability -- are stated, not checked.
    """
    method = f"rule: Leibniz (differentiate under the integral in {parameter})"

    def rule(lhs: sp.Expr, rhs: sp.Expr) -> Check:
        if not isinstance(lhs, sp.Derivative) or not isinstance(lhs.expr, sp.Integral):
            return _fail(method, "left side is not the derivative of an integral")
        if tuple(lhs.variable_count) != ((parameter, 1),):
            return _fail(method, f"left side is not a first derivative in {parameter}")
        integral = lhs.expr
        if not isinstance(rhs, sp.Integral):
            return _fail(method, "right side is not an integral")
        for var, *bounds in integral.limits:
            if var == parameter:
                return _fail(method, f"{parameter} is an integration variable")
            if len(bounds) != 2:
                return _fail(method, f"indefinite integral in {var}")
            moving = [b for b in bounds if b.has(parameter)]
            if moving:
                return _fail(
                    method,
                    f"integration limits depend on {parameter}: {var} in [{bounds[0]}, "
                    f"{bounds[1]}] (boundary terms would arise)",
                )
        if tuple(rhs.limits) != tuple(integral.limits):
            return _fail(
                method, f"limits differ: {integral.limits} on the left, {rhs.limits} on the right"
            )
        if not _zero(sp.diff(integral.function, parameter) - rhs.function):
            return _fail(
                method, f"right integrand is not the {parameter}-derivative of the left integrand"
            )
        jump = _discontinuity(integral.function, parameter)
        if jump is not None:
            return _fail(method, jump)
        limits = "; ".join(f"{v} ∈ [{lo}, {hi}]" for v, lo, hi in integral.limits)
        return Check(
            Status.HYPOTHESES,
            method,
            f"checked: limits {limits} free of {parameter}; integrands match; integrand "
            f"continuous in {parameter}",
        )

    return rule


def pointwise(why: str = "integrands equal pointwise") -> Rule:
    """``∫ A = ∫ B`` over identical limits because ``simplify(A - B) == 0``.

    Used for integrals of an undefined ``f`` that SymPy cannot evaluate; the identity is proved
    for the integrand at every point, which is stronger than equality of the integrals (one
    side exists exactly when the other does). Status ``proved``: nothing is left unchecked.
    """
    method = f"rule: {why}"

    def rule(lhs: sp.Expr, rhs: sp.Expr) -> Check:
        if not isinstance(lhs, sp.Integral) or not isinstance(rhs, sp.Integral):
            return _fail(method, "both sides must be integrals")
        if tuple(lhs.limits) != tuple(rhs.limits):
            return _fail(method, f"limits differ: {lhs.limits} vs {rhs.limits}")
        if not _zero(lhs.function - rhs.function):
            return _fail(method, "integrands differ")
        return Check(Status.PROVED, method, "checked: same limits; simplify(A - B) == 0")

    return rule


def substitution(old: sp.Symbol, new: sp.Symbol, g: sp.Expr) -> Rule:
    """The change of variables ``old = g(new)`` on the whole real line.

    Proves ``∫_ℝ F(old) d old = ∫_ℝ G(new) d new`` after checking by machine that both
    integrals run over (−∞, ∞), that ``g' > 0`` follows from the symbols' assumptions (so ``g``
    maps ℝ onto ℝ increasingly when ``g`` is affine, which is also checked: the slope is free
    of ``new``), and that ``G = F(g) · g'`` (simplify). Status ``proved``: an affine change of
    variables holds for every Lebesgue integral (one side exists exactly when the other does).
    """
    method = f"rule: substitution {old} = {g}"

    def rule(lhs: sp.Expr, rhs: sp.Expr) -> Check:
        real_line = (-sp.oo, sp.oo)
        if not isinstance(lhs, sp.Integral) or not isinstance(rhs, sp.Integral):
            return _fail(method, "both sides must be integrals")
        if tuple(lhs.limits) != ((old, *real_line),) or tuple(rhs.limits) != ((new, *real_line),):
            return _fail(method, f"expected ∫ d{old} and ∫ d{new} over the real line")
        slope = sp.diff(g, new)
        if slope.has(new) or slope.is_positive is not True:
            return _fail(method, f"{old} = {g} is not affine with positive slope in {new}")
        if not _zero(lhs.function.subs(old, g) * slope - rhs.function):
            return _fail(method, f"integrand is not F({g}) * {slope}")
        return Check(Status.PROVED, method, f"checked: affine, slope {slope} > 0; ℝ onto ℝ")

    return rule


def integration_by_parts(var: sp.Symbol, u: sp.Expr, v: sp.Expr) -> Rule:
    """``∫_ℝ u v′ d var = [u v]_{−∞}^{∞} − ∫_ℝ u′ v d var = −∫_ℝ u′ v d var``.

    Checks by machine that both sides integrate over ``var`` on (−∞, ∞), that the left
    integrand is ``u · v′`` and the right one ``−u′ · v`` (simplify; ``u`` may contain an
    undefined function), that ``v → 0`` at ±∞ (SymPy limits), and, when ``u`` is concrete,
    that ``u v → 0`` at ±∞. Status ``hypotheses``: that ``u v′`` and ``u′ v`` are integrable
    and (for an undefined ``u``) that ``u v → 0`` are stated, not checked -- a growth
    condition alone is not enough: ``u = e^{z²/2}/(1 + z²)`` against a Gaussian ``v`` meets
    "slower than 1/v" yet ``∫ |u v′| = ∞``. The engine evaluates both sides of a concrete step.
    """
    method = f"rule: integration by parts in {var}"

    def rule(lhs: sp.Expr, rhs: sp.Expr) -> Check:
        limits = ((var, -sp.oo, sp.oo),)
        if not isinstance(lhs, sp.Integral) or not isinstance(rhs, sp.Integral):
            return _fail(method, "both sides must be integrals")
        if tuple(lhs.limits) != limits or tuple(rhs.limits) != limits:
            return _fail(method, f"both integrals must run over {var} ∈ (−∞, ∞)")
        if not _zero(lhs.function - u * sp.diff(v, var)):
            return _fail(method, "left integrand is not u · v′")
        if not _zero(rhs.function + sp.diff(u, var) * v):
            return _fail(method, "right integrand is not −u′ · v")
        if not all(_vanishes(v, var, end) for end in (sp.oo, -sp.oo)):
            return _fail(method, f"v = {v} does not vanish at ±∞")
        concrete = not u.atoms(AppliedUndef)
        if concrete and not all(_vanishes(u * v, var, end) for end in (sp.oo, -sp.oo)):
            return _fail(method, f"SymPy cannot show that u·v → 0 at ±∞ (u = {u}, v = {v})")
        boundary = "u·v → 0" if concrete else "v → 0"
        return Check(
            Status.HYPOTHESES, method, f"checked: limits, u·v′ and −u′·v, {boundary} at ±∞"
        )

    return rule


def _standard_normal(v: sp.Symbol) -> sp.Expr:
    return sp.exp(-(v**2) / 2) / sp.sqrt(2 * sp.pi)


def stein(u: dict[sp.Symbol, sp.Expr]) -> Rule:
    """Stein's lemma in each coordinate: ``E[Σ_j u_j(ε) ε_j] = E[Σ_j ∂u_j/∂ε_j]``, ε ∼ N(0, I_D).

    Each term is one integration by parts in ε_j with the other coordinates held fixed:
    ``ε_j φ(ε_j) = −φ′(ε_j)``. Checks by machine that both sides are integrals over the same
    coordinates, each over (−∞, ∞), that every ε_j of ``u`` is one of them, that the left
    integrand is ``Σ_j u_j ε_j · Π φ(ε_i)`` and the right one ``Σ_j ∂u_j/∂ε_j · Π φ(ε_i)``
    (simplify; ``u_j`` may contain an undefined function). Status ``hypotheses``: that
    ``u_j φ(ε_j) → 0`` as ε_j → ±∞ and that ``u_j ε_j`` and ``∂u_j/∂ε_j`` are integrable against
    the Gaussian on ℝᴰ (Fubini) are stated, not checked. The engine evaluates both sides of a
    concrete step.
    """
    names = ", ".join(str(v) for v in u)
    method = f"rule: Stein's lemma (Gaussian integration by parts) in {names}"

    def rule(lhs: sp.Expr, rhs: sp.Expr) -> Check:
        if not isinstance(lhs, sp.Integral) or not isinstance(rhs, sp.Integral):
            return _fail(method, "both sides must be integrals")
        limits = tuple(lhs.limits)
        variables = [lim[0] for lim in limits]
        if tuple(rhs.limits) != limits or any(tuple(lim[1:]) != (-sp.oo, sp.oo) for lim in limits):
            return _fail(method, "both integrals must run over the same coordinates, each over ℝ")
        if any(v not in variables for v in u):
            return _fail(method, f"{names} must be integration variables")
        weight = sp.Mul(*(_standard_normal(v) for v in variables))
        if not _zero(lhs.function - sp.Add(*(uj * v for v, uj in u.items())) * weight):
            return _fail(method, "left integrand is not Σ_j u_j ε_j times the N(0, I) density")
        divergence = sp.Add(*(sp.diff(uj, v) for v, uj in u.items()))
        if not _zero(rhs.function - divergence * weight):
            return _fail(method, "right integrand is not Σ_j ∂u_j/∂ε_j times the N(0, I) density")
        return Check(
            Status.HYPOTHESES,
            method,
            "checked: limits ℝ in every coordinate; integrands Σ u_j ε_j and Σ ∂u_j/∂ε_j "
            "against the N(0, I) density",
        )

    return rule


class NormalExpectation(AppliedUndef):
    """``E_{ε∼N(0, I_D)}[integrand]`` for a symbolic dimension D: ``NormalExpectation(integrand,
    ε, D)`` with ``ε`` an ``IndexedBase`` whose coordinates ε[d] occur in the integrand.

    SymPy cannot integrate over a symbolic number of variables: for the engine this is an
    undefined function (it has no value to compute), so a step containing it is decided by its
    rule alone -- :func:`coordinatewise`, which never claims ``proved``."""

    nargs = 3

    def _latex(self, printer) -> str:
        integrand, base, dimension = (printer._print(a) for a in self.args)
        return (
            rf"\mathbb{{E}}_{{{base} \sim \mathcal{{N}}(0, I_{{{dimension}}})}}"
            rf"\left[{integrand}\right]"
        )


def coordinatewise(variable: sp.Symbol) -> Rule:
    """``E_{ε∼N(0, I_D)}[Σ_{d=1}^D g_d(ε_d)] = Σ_{d=1}^D ∫_ℝ g_d(v) φ(v) dv`` for symbolic D.

    Checks by machine that the left side is a :class:`NormalExpectation` of a sum over
    d = 1, …, D (the operator's D) whose term depends on ε only through ε[d]; that the right side
    is a sum over the same range of an integral over ``variable`` ∈ (−∞, ∞) whose integrand is
    the term with ε[d] → ``variable``, times φ(``variable``) (simplify); and whether the term is
    a polynomial in ε[d] once its logs are expanded (without ``force``; then absolutely
    integrable against φ). Status ``hypotheses``: the step
    itself -- linearity of the expectation over the finite sum, and Fubini with ∫ φ = 1 for the
    coordinates a term does not depend on -- is applied at symbolic D, not derived by SymPy
    (it can be, and is, at a fixed D); so is integrability of a term that is not a polynomial.
    """
    method = "rule: linearity of E over Σ_d and Fubini (each term depends on ε_d alone)"

    def rule(lhs: sp.Expr, rhs: sp.Expr) -> Check:
        if not isinstance(lhs, NormalExpectation):
            return _fail(method, "left side is not E_{ε∼N(0, I_D)}[…]")
        total, base, dimension = lhs.args
        if not isinstance(total, sp.Sum) or len(total.limits) != 1:
            return _fail(method, "the expectation is not of a single sum over the coordinates")
        index, low, high = total.limits[0]
        if (low, high) != (1, dimension):
            return _fail(method, f"the sum runs over {index} = {low} … {high}, not 1 … {dimension}")
        term = total.function
        if any(i.base == base and i.indices != (index,) for i in term.atoms(sp.Indexed)):
            return _fail(method, f"a term depends on a coordinate of {base} other than {index}")
        stripped = term.xreplace({base[index]: sp.Dummy()})
        if stripped.has(base) or stripped.has(base.label) or stripped.has(variable):
            return _fail(method, f"the term must depend on {base} only through {base}[{index}]")
        one = term.xreplace({base[index]: variable})
        if not isinstance(rhs, sp.Sum) or tuple(rhs.limits) != tuple(total.limits):
            return _fail(method, f"right side is not a sum over {index} = 1 … {dimension}")
        inner = rhs.function
        if not isinstance(inner, sp.Integral) or tuple(inner.limits) != (
            (variable, -sp.oo, sp.oo),
        ):
            return _fail(method, f"right summand is not an integral over {variable} ∈ ℝ")
        if not _zero(inner.function - one * _standard_normal(variable)):
            return _fail(
                method, f"right integrand is not the term at {variable} times φ({variable})"
            )
        integrable = (
            "the term is a polynomial in the coordinate, so absolutely integrable against φ"
            if sp.expand(sp.expand_log(one)).is_polynomial(variable)
            else "integrability of the term against φ stated, not checked"
        )
        return Check(
            Status.HYPOTHESES,
            method,
            f"checked: a sum over {index} = 1 … {dimension} whose term depends on "
            f"{base}[{index}] alone; right side term by term against φ; {integrable}",
        )

    return rule
