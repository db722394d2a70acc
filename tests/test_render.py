"""Rendered pages print the checked SymPy objects and say how each step was checked."""

from __future__ import annotations

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
