"""The engine's numeric comparison: its tolerance (NUMERIC_RTOL = 1e-25 relative, at 50 digits)
separates values that float64 could not, and accepts values equal to the working precision.

A step that is false by one part in 10²⁰ is false: a comparison 10⁶× looser (1e-19) would call
it numeric evidence. Both sides here are exact constants, so ``refute`` (straight to the numeric
phase) decides them at any point; nothing is random.
"""

from __future__ import annotations

import sympy as sp

from rtverify.derivation import NUMERIC_RTOL, Status, refute


def test_a_relative_gap_of_1e_20_is_a_counterexample():
    assert NUMERIC_RTOL < sp.Rational(1, 10**20)
    check = refute(sp.pi, sp.pi * (1 + sp.Rational(1, 10**20)))
    assert check.status is Status.FAILED, check


def test_a_relative_gap_of_1e_40_is_below_the_tolerance():
    # 1e-40 is below the 50-digit working precision's resolution of the comparison (rtol 1e-25)
    check = refute(sp.pi, sp.pi * (1 + sp.Rational(1, 10**40)))
    assert check.status is Status.NUMERIC, check
