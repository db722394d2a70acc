"""Layout of display formulas for the generated pages: short names for the Gaussian densities,
lines broken to fit a page, and the width measure that keeps every display narrower than a page.

Only the *printing* changes: a named sub-expression is exact (``φ(ε)`` stands for
``exp(−ε²/2)/√(2π)`` wherever that product occurs, and the page prints the definition), and a
broken line is the same sum continued on the next row.

The width of a display is measured by :func:`rtverify.texwidth.tex_width`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sympy as sp

from rtverify.texwidth import tex_width

__all__ = [
    "WIDTH_LIMIT_EM",
    "NormalDensity",
    "StandardNormalDensity",
    "abbreviate",
    "aligned",
    "definitions",
    "tex_width",
    "unbroken",
]

#: Widest display allowed, in em: about 800 px at GitHub's formula size (≈ 18 px per em), the
#: width of a README column on a laptop screen.
WIDTH_LIMIT_EM = 44.0


class StandardNormalDensity(sp.Function):
    """``φ(v) = exp(−v²/2)/√(2π)`` as a name on the page (display only)."""

    nargs = 1

    def _latex(self, printer) -> str:
        return rf"\varphi({printer._print(self.args[0])})"

    def definition(self) -> sp.Expr:
        (v,) = self.args
        return sp.exp(-(v**2) / 2) / sp.sqrt(2 * sp.pi)


class NormalDensity(sp.Function):
    """``N(v; m, s²) = exp(−(v − m)²/(2s²))/(s√(2π))`` as a name on the page (display only)."""

    nargs = 3

    def _latex(self, printer) -> str:
        v, m, s = (printer._print(a) for a in self.args)
        return rf"\mathcal{{N}}({v};\, {m}, {s}^{{2}})"

    def definition(self) -> sp.Expr:
        v, m, s = self.args
        return sp.exp(-((v - m) ** 2) / (2 * s**2)) / (s * sp.sqrt(2 * sp.pi))


_V, _M, _S = sp.Wild("v"), sp.Wild("m"), sp.Wild("s", exclude=[0])


def _density_of(factor: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """For ``exp(−v²/2)``: (φ(v), √2); for ``exp(−(v − m)²/(2s²))`` with a positive symbol
    ``s``: (N(v; m, s²), s√2) -- in both cases ``factor/√π = density · ratio``."""
    if not isinstance(factor, sp.exp):
        return None
    arg = factor.args[0]
    found = arg.match(-((_V - _M) ** 2) / (2 * _S**2))
    if found and found[_S].is_Symbol and found[_S].is_positive and not found[_V].has(sp.Abs):
        # written N(v; m, s²) with the terms of v − m that carry a minus sign as the mean m
        terms = sp.Add.make_args(sp.expand(found[_V] - found[_M]))
        mean = -sp.Add(*(t for t in terms if t.could_extract_minus_sign()))
        v = sp.Add(*(t for t in terms if not t.could_extract_minus_sign()))
        if v == 0:
            v, mean = -mean, 0
        return NormalDensity(v, mean, found[_S]), found[_S] * sp.sqrt(2)
    found = arg.match(-(_V**2) / 2)
    if found and not found[_V].has(sp.Abs):
        return StandardNormalDensity(found[_V]), sp.sqrt(2)
    return None


def _abbreviate_mul(expr: sp.Mul) -> sp.Expr:
    """Each ``exp(…)/√π`` pair of the product that is a Gaussian density becomes its name."""
    factors = list(sp.Mul.make_args(expr))
    pi_power = sum((f.exp for f in factors if f.is_Pow and f.base == sp.pi), sp.Integer(0)) + (
        1 if sp.pi in factors else 0
    )
    if pi_power > -sp.Rational(1, 2):
        return expr
    kept, named = [], []
    for factor in factors:
        found = _density_of(factor) if pi_power <= -sp.Rational(1, 2) else None
        if found is None:
            kept.append(factor)
            continue
        density, ratio = found
        named += [density, ratio]
        pi_power += sp.Rational(1, 2)
    if not named:
        return expr
    kept = [f for f in kept if f != sp.pi and not (f.is_Pow and f.base == sp.pi)]
    return sp.Mul(*kept) * sp.pi**pi_power * sp.Mul(*named)


def abbreviate(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every Gaussian density written as φ(v) or N(v; m, s²) (equal to ``expr``)."""
    return expr.replace(lambda e: isinstance(e, sp.Mul), _abbreviate_mul)


def definitions(exprs: Sequence[sp.Expr]) -> list[str]:
    """LaTeX ``name = definition`` of each density name used in ``exprs``, for any argument
    ``t`` (and ``m``, ``s > 0``), in a fixed order: φ first, then N."""
    used = {type(a) for e in exprs for a in e.atoms(StandardNormalDensity, NormalDensity)}
    t, m, s = sp.Symbol("t", real=True), sp.Symbol("m", real=True), sp.Symbol("s", positive=True)
    out = []
    if StandardNormalDensity in used:
        density = StandardNormalDensity(t)
        exponential = sp.latex(density.definition() * sp.sqrt(2 * sp.pi))
        out.append(rf"{sp.latex(density)} = \frac{{1}}{{\sqrt{{2\pi}}}}\, {exponential}")
    if NormalDensity in used:
        density = NormalDensity(t, m, s)
        exponential = sp.latex(density.definition() * s * sp.sqrt(2 * sp.pi))
        out.append(rf"{sp.latex(density)} = \frac{{1}}{{s\sqrt{{2\pi}}}}\, {exponential}")
    return out


# --- layout ---------------------------------------------------------------------------------


def _signed_terms(expr: sp.Expr) -> list[tuple[str, sp.Expr]]:
    """The terms of a sum in printed order, as (sign, term without its minus sign)."""
    out = []
    for k, term in enumerate(expr.as_ordered_terms()):
        if term.could_extract_minus_sign():
            out.append(("- ", -term))
        else:
            out.append(("+ " if k else "", term))
    return out


def _integral_parts(expr: sp.Integral) -> tuple[str, sp.Expr, str] | None:
    r"""(``\int…\int a \bigg(``, the sum inside, ``\bigg) b \, dv…``) of an integral whose
    integrand is a product ``a · (sum) · b`` (factors in SymPy's printed order, no
    denominator); None otherwise."""
    factors = expr.function.as_ordered_factors()
    sums = [k for k, f in enumerate(factors) if f.is_Add]
    if len(sums) != 1 or any(f.is_Pow and f.exp.is_negative for f in factors):
        return None
    k = sums[0]
    before, after = sp.Mul(*factors[:k]), sp.Mul(*factors[k + 1 :])
    heads = "".join(
        rf"\int\limits_{{{sp.latex(lim[1])}}}^{{{sp.latex(lim[2])}}}" for lim in expr.limits
    )
    heads += "" if before == 1 else " " + sp.latex(before)
    tails = "" if after == 1 else " " + sp.latex(after)
    tails += "".join(rf"\, d{sp.latex(lim[0])}" for lim in expr.limits)
    return rf"{heads} \bigg(", factors[k], rf"\bigg){tails}"


def _pieces(expr: sp.Expr, limit: float) -> list[str]:
    """LaTeX of ``expr`` cut where a line may break (between the terms of a sum, also of a sum
    inside an integral or a derivative); the pieces joined by spaces print ``expr``."""
    whole = sp.latex(expr)
    if tex_width(whole) <= limit:
        return [whole]
    if expr.is_Add:
        pieces = []
        for sign, term in _signed_terms(expr):
            inner = _pieces(term, limit)
            if term.is_Add:
                inner = [rf"\bigg({inner[0]}", *inner[1:-1], rf"{inner[-1]}\bigg)"]
                if len(inner) == 1:
                    inner = [rf"\bigg({_pieces(term, limit)[0]}\bigg)"]
            pieces += [sign + inner[0], *inner[1:]]
        return pieces
    if expr.could_extract_minus_sign():
        inner = _pieces(-expr, limit)
        if (-expr).is_Add:
            return (
                [rf"- \bigg({inner[0]}", *inner[1:-1], rf"{inner[-1]}\bigg)"]
                if len(inner) > 1
                else [rf"- \bigg({inner[0]}\bigg)"]
            )
        return [f"- {inner[0]}", *inner[1:]]
    if isinstance(expr, sp.Integral):
        parts = _integral_parts(expr)
        if parts is not None:
            head, total, tail = parts
            inner = (
                _pieces(total, limit)
                if tex_width(sp.latex(total)) > limit
                else [f"{s}{sp.latex(t)}" for s, t in _signed_terms(total)]
            )
            if len(inner) == 1:
                return [f"{head}{inner[0]}{tail}"]
            return [f"{head}{inner[0]}", *inner[1:-1], f"{inner[-1]}{tail}"]
    if isinstance(expr, sp.Derivative) and isinstance(expr.expr, sp.Integral):
        (var, count), *more = expr.variable_count
        if not more and count == 1:
            inner = _pieces(expr.expr, limit)
            head = rf"\frac{{\partial}}{{\partial {sp.latex(var)}}} "
            return [head + inner[0], *inner[1:]]
    return [whole]


def _fill(pieces: list[str], first: str, limit: float) -> list[str]:
    r"""Pieces packed greedily into rows no wider than ``limit``; the first row starts with
    ``first`` (``&= `` or ``& ``), the others with ``&\quad ``."""
    rows, current, empty = [], first, True
    for piece in pieces:
        candidate = f"{current}{piece}" if empty else f"{current} {piece}"
        if not empty and tex_width(candidate) > limit:
            rows.append(current)
            current = rf"&\quad {piece}"
        else:
            current = candidate
        empty = False
    rows.append(current)
    return rows


def _broken(expr: sp.Expr, first: str, limit: float) -> list[str]:
    """``expr`` as rows starting with ``first``, continued on further rows where too wide."""
    return _fill(_pieces(expr, limit - 2.0), first, limit)


def aligned(lhs: sp.Expr, rights: Sequence[sp.Expr], tags: Sequence[str]) -> str:
    """The ``aligned`` display ``lhs = r₁ = r₂ …`` with a tag per step, no wider than
    :data:`WIDTH_LIMIT_EM` where it can be broken: the left side gets rows of its own when the
    ``=`` column would start too far right, and a long side continues on further rows."""
    limit = WIDTH_LIMIT_EM - 4.0  # room for the tag column
    steps = [_broken(r, "&= ", limit) for r in rights]
    left = sp.latex(lhs)
    beside = _display([[f"{left} {steps[0][0]}", *steps[0][1:]], *steps[1:]], tags)
    if tex_width(beside) <= WIDTH_LIMIT_EM:
        return beside
    return _display(steps, tags, head=_broken(lhs, "& ", limit))


def _display(steps: list[list[str]], tags: Sequence[str], head: Sequence[str] = ()) -> str:
    rows = list(head)
    for step_rows, tag in zip(steps, tags, strict=True):
        rows += [*step_rows[:-1], f"{step_rows[-1]} && {tag}"]
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


def unbroken(text: str) -> str:
    r"""``text`` with every display's continuation rows joined back into one line (``\bigg``
    parentheses as ``\left``/``\right``): where a display was broken, the LaTeX SymPy prints
    for the expression appears again -- how tests find the checked objects on a page."""
    text = re.sub(r"\s*\\\\\n&\\quad ", " ", text)
    text = re.sub(r"\s*\\\\\n&= ", " &= ", text)
    return text.replace(r"\bigg(", r"\left(").replace(r"\bigg)", r"\right)")
