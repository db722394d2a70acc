"""Rendered pages print the checked SymPy objects and say how each step was checked."""

from __future__ import annotations

import pytest
import sympy as sp

from rtverify.derivation import Chain, Derivation, Step
from rtverify.render import render_index, render_page

a = sp.Symbol("a", positive=True)


def _derivation(rhs: sp.Expr) -> Derivation:
    return Derivation(
        "toy",
        "Toy",
        "a toy identity",
        (Chain("square", (a + 1) ** 2, (Step(rhs, "expand", ("a > 0",)),)),),
    )


def test_a_page_shows_each_formula_from_sympy_and_how_it_was_checked():
    page = render_page(_derivation(a**2 + 2 * a + 1).verify())
    assert sp.latex((a + 1) ** 2) in page and sp.latex(a**2 + 2 * a + 1) in page
    assert "$$" in page and "| (1) | expand | a > 0 | proved" in page
    assert "| $a$ | positive real |" in page
    assert "The derivation holds." in page


def test_a_page_of_a_failing_derivation_says_so():
    page = render_page(_derivation(a**2 + a + 1).verify())
    assert "**FAILED**" in page and "DOES NOT HOLD" in page


def test_the_index_links_each_page():
    index = render_index([_derivation(a**2 + 2 * a + 1).verify()])
    assert "[Toy](toy.md)" in index


_SAME_NAMES = """
import pytest
import sympy as sp
from rtverify.derivation import Chain, Derivation, Step
pairs = [(sp.Symbol(f"L_{i}", positive=True), sp.Symbol(f"L_{i}", real=True)) for i in range(8)]
expr = sum(p + r for p, r in pairs)
d = Derivation("t", "t", "t", (Chain("c", expr, (Step(expr, "same"),)),))
print([(s.name, s.is_positive) for s in d.symbols()])
"""


def test_the_symbol_table_does_not_depend_on_the_hash_seed():
    import subprocess
    import sys

    outputs = {
        subprocess.run(
            [sys.executable, "-c", _SAME_NAMES],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(seed), "PATH": ""},
        ).stdout
        for seed in (1, 2, 3)
    }
    assert len(outputs) == 1, outputs


# --- readability on GitHub ------------------------------------------------------------------

eps = sp.Symbol("epsilon", real=True)
z, mu = sp.Symbol("z", real=True), sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)


def _unname(expr: sp.Expr) -> sp.Expr:
    from rtverify.display import NormalDensity, StandardNormalDensity

    return expr.replace(
        lambda e: isinstance(e, (StandardNormalDensity, NormalDensity)), lambda e: e.definition()
    )


def test_the_density_names_are_exact_where_they_replace_a_product():
    from rtverify.display import NormalDensity, StandardNormalDensity, abbreviate

    e1, e2, e3 = sp.symbols("epsilon_1:4", real=True)
    cases = [
        sp.sqrt(2) * sp.exp(-(eps**2) / 2) / (2 * sp.sqrt(sp.pi)),
        sp.Integral(
            eps * sp.Function("f")(mu + sigma * eps) * sp.exp(-(eps**2) / 2) / sp.sqrt(2 * sp.pi),
            (eps, -sp.oo, sp.oo),
        ),
        (e1 + e2)
        * sp.exp(-(e1**2) / 2)
        * sp.exp(-(e2**2) / 2)
        * sp.exp(-(e3**2) / 2)
        / (4 * sp.pi ** sp.Rational(3, 2)),
        sp.log(sp.exp(-((z - mu) ** 2) / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)),
    ]
    for expr in cases:
        named = abbreviate(expr)
        assert named.atoms(StandardNormalDensity, NormalDensity), expr
        assert sp.simplify(_unname(named).doit() - expr.doit()) == 0, expr
    # three densities share π^(-3/2): all three are named
    assert len(abbreviate(cases[2]).atoms(StandardNormalDensity)) == 3


def test_something_that_is_not_a_normal_density_keeps_its_formula():
    from rtverify.display import abbreviate

    for expr in [
        sp.exp(-(eps**2) / 3) / sp.sqrt(2 * sp.pi),  # wrong variance
        sp.exp(-(eps**2) / 2),  # no 1/√(2π): not a density
        sp.exp(eps**2 / 2) / sp.sqrt(2 * sp.pi),  # wrong sign
    ]:
        assert abbreviate(expr) == expr


def test_the_width_measure_follows_tex_layout():
    from rtverify.display import tex_width

    assert tex_width("a + b") == 2 * tex_width("a") + tex_width("+")
    assert tex_width(r"\frac{a + b}{c}") < tex_width("a + b + c")  # stacked, not side by side
    assert tex_width("a^{2}") < tex_width("a2")  # scripts are smaller
    rows = r"\begin{aligned} x &= a + b + c \\ &= d \end{aligned}"
    assert tex_width(rows) == pytest.approx(tex_width("x = a + b + c"))  # the widest row
    matrix = r"\begin{matrix} a & b \\ c & d \end{matrix}"
    assert tex_width(matrix) < tex_width("a b c d") + 2  # two columns, not four cells


def test_a_long_sum_is_broken_into_rows_no_wider_than_a_page():
    from rtverify.display import WIDTH_LIMIT_EM, aligned, tex_width

    xs = sp.symbols("x_1:41", real=True)
    long_sum = sum(sp.exp(x) * sp.sin(x) for x in xs)
    assert tex_width(sp.latex(long_sum)) > 3 * WIDTH_LIMIT_EM
    display = aligned(sp.Symbol("S"), [long_sum, long_sum.rewrite(sp.cos)], [r"\text{(1)}"] * 2)
    assert tex_width(display) <= WIDTH_LIMIT_EM
    assert display.count(r"\\") >= 6
    # every term is still there, in order
    rows = display.replace(r"\quad", "").replace("&", "")
    for x in xs:
        assert sp.latex(sp.exp(x) * sp.sin(x)) in rows


def test_a_long_integrand_is_continued_inside_its_integral():
    from rtverify.display import WIDTH_LIMIT_EM, aligned, tex_width

    xs = sp.symbols("c_1:30", real=True)
    integrand = sum(c * eps**k for k, c in enumerate(xs)) * sp.exp(-(eps**2) / 2)
    integral = sp.Integral(integrand, (eps, -sp.oo, sp.oo))
    display = aligned(sp.Symbol("I"), [integral], [r"\text{(1)}"])
    assert tex_width(display) <= WIDTH_LIMIT_EM
    assert r"\bigg(" in display and r"\bigg)" in display and r"\, d\epsilon" in display


def test_headings_and_the_checked_column_read_as_mathematics_not_python():
    from rtverify.render import readable

    cases = {
        "f(x) = c_0 + c_1*x + c_2*x**2": "f(x) = c₀ + c₁x + c₂x²",
        "f(x) = exp(a*x)": "f(x) = exp(ax)",
        "substitution z = epsilon*sigma + mu": "substitution z = εσ + μ",
        "limits epsilon ∈ [-oo, oo] free of mu": "ε runs over ℝ, limits free of μ",
        "proved: simplify(lhs - rhs) == 0": "proved: SymPy simplifies lhs − rhs to 0",
        "v = -epsilon*exp(-epsilon**2/2)/sigma": "v = −ε·exp(−ε²/2)/σ",
        "Stein's lemma for any differentiable f": "Stein's lemma for any differentiable f",
    }
    for plain, shown in cases.items():
        assert readable(plain) == shown


def test_a_step_that_prints_like_the_line_before_says_why():
    page = render_page(_derivation(a**2 + 2 * a + 1).verify())
    assert "both sides print alike" not in page
    same = Derivation("t", "T", "t", (Chain("c", a + 1, (Step(a + 1, "nothing to do"),)),))
    assert "nothing to do (both sides print alike" in render_page(same.verify())
