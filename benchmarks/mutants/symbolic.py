"""Mutants of rtverify.testfunctions and rtverify.moments."""

from __future__ import annotations

from mutants.base import Mutant

_O = "rtverify/moments.py"
_T = "rtverify/testfunctions.py"

MUTANTS: list[Mutant] = [
    # --- testfunctions ------------------------------------------------------------------------
    Mutant(
        "testfunctions-score-sigma-squared",
        "testfunctions",
        _T,
        "return fz * EPS / SIGMA, fz * (EPS**2 - 1) / SIGMA",
        "return fz * EPS / SIGMA, fz * (EPS**2 - 1) / SIGMA**2",
        "exact score σ-component over σ²",
    ),
    Mutant(
        "testfunctions-pathwise-no-eps",
        "testfunctions",
        _T,
        "return dfz, dfz * EPS",
        "return dfz, dfz",
        "exact pathwise σ-component without ε",
    ),
    Mutant(
        "testfunctions-mu4-is-var",
        "testfunctions",
        _T,
        'power = 2 if moment == "var" else 4',
        "power = 2",
        "fourth central moment computed as the variance",
    ),
    Mutant(
        "testfunctions-bump-half",
        "testfunctions",
        _T,
        "sp.exp(-k * Z**2))",
        "sp.exp(-k * Z**2 / 2))",
        "bump exp(−kz²/2) under the name exp(−kz²)",
    ),
    Mutant(
        "testfunctions-abs-not-smooth",
        "testfunctions",
        _T,
        "sp.sign(Z), smooth=True)",
        "sp.sign(Z), smooth=False)",
        "|z| declared non-smooth",
    ),
    Mutant(
        "testfunctions-step-smooth",
        "testfunctions",
        _T,
        "sp.Integer(0), smooth=False)",
        "sp.Integer(0), smooth=True)",
        "the step declared smooth",
    ),
    Mutant(
        "testfunctions-grad-swapped",
        "testfunctions",
        _T,
        "for s in (MU, SIGMA))",
        "for s in (SIGMA, MU))",
        "gradient components (∂μ, ∂σ) swapped",
    ),
    Mutant(
        "testfunctions-quartic-constant",
        "testfunctions",
        _T,
        "- Z**2 + 2 * Z + 1",
        "- Z**2 + 2 * Z",
        "quartic without its constant (mean changes, gradients do not)",
    ),
    # --- moments ------------------------------------------------------------------------------
    Mutant(
        "moments-double-factorial",
        "moments",
        _O,
        "else sp.factorial2(k - 1)",
        "else sp.factorial2(k)",
        "E η^k = k!! instead of (k − 1)!!",
    ),
    Mutant(
        "moments-completing-square-half",
        "moments",
        _O,
        "sp.sqrt(s2) * sp.exp(c1**2 * s2 / 2)",
        "sp.sqrt(s2) * sp.exp(c1**2 * s2)",
        "completing the square without the ½",
    ),
    Mutant(
        "moments-s2",
        "moments",
        _O,
        "s2 = 1 / (1 - 2 * c2)",
        "s2 = 1 / (1 - c2)",
        "s² = 1/(1 − c₂)",
    ),
    Mutant(
        "moments-shift",
        "moments",
        _O,
        "m = c1 * s2\n",
        "m = c1\n",
        "shifted mean c₁ instead of c₁s²",
    ),
    Mutant(
        "moments-truncated-recursion",
        "moments",
        _O,
        "+ (n - 1) * _truncated_moment(n - 2, t)",
        "+ n * _truncated_moment(n - 2, t)",
        "J_n recursion with n for n − 1",
    ),
    Mutant(
        "moments-truncated-j0",
        "moments",
        _O,
        "return sp.erfc(t / sp.sqrt(2)) / 2",
        "return sp.erfc(t / sp.sqrt(2))",
        "J₀ = erfc without ½",
    ),
    Mutant(
        "moments-negative-slope",
        "moments",
        _O,
        "_exp_moment(power, sp.Integer(0), sp.Integer(0)) - _truncated_moment(power, t)",
        "_truncated_moment(power, t)",
        "H(a + bε) with b < 0 treated as b > 0",
    ),
    Mutant(
        "moments-sign-as-step",
        "moments",
        _O,
        "return expr.replace(sp.sign, lambda a: 2 * sp.Heaviside(a) - 1)",
        "return expr.replace(sp.sign, lambda a: sp.Heaviside(a))",
        "sign(a) rewritten as H(a)",
    ),
]
