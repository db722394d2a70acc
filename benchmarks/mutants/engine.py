"""Mutants of the derivation engine (``_engine``, ``_symbolic``, ``_numeric``, ``_bounded``),
its rules, and the CLI (`rtverify verify`/`derive`, `rtverify audit`)."""

from __future__ import annotations

from mutants.base import Mutant

_CLI = "rtverify/cli.py"
_E = "rtverify/_engine.py"
_N = "rtverify/_numeric.py"
_S = "rtverify/_symbolic.py"
_B = "rtverify/_bounded.py"
_R = "rtverify/rules.py"


def _e(name: str, *args, formula: bool = False) -> Mutant:
    return Mutant(name, "engine", *args, formula=formula)


def _c(name: str, *args) -> Mutant:
    return Mutant(name, "cli", *args, formula=False)


MUTANTS: list[Mutant] = [
    # --- engine -------------------------------------------------------------------------------
    _e(
        "engine-undecided-holds",
        _E,
        "return self in (Status.PROVED, Status.HYPOTHESES, Status.NUMERIC)",
        "return self in (Status.PROVED, Status.HYPOTHESES, Status.NUMERIC, Status.UNDECIDED)",
        "an undecided step counts as holding",
    ),
    _e(
        "engine-numeric-tolerance",
        _E,
        "if abs(a - b) > NUMERIC_RTOL * max(abs(a), abs(b), mpmath.mpf(1)):",
        "if abs(a - b) > 1e6 * NUMERIC_RTOL * max(abs(a), abs(b), mpmath.mpf(1)):",
        "numeric check 10⁶× looser",
    ),
    _e(
        "engine-negative-probe",
        _E,
        "    if k == 0:\n        return -magnitude",
        "    if k == 0:\n        return magnitude",
        "a real symbol is never probed at a negative value (log μ² = 2 log μ passes)",
    ),
    _e(
        "engine-infinite-side",
        _E,
        "if not side.has(sp.Integral) and infinite(side):",
        "if False and infinite(side):",
        "an infinite side is not a failure",
    ),
    _e(
        "engine-timeout-holds",
        _E,
        "            if phase == 1 and specs[step].rule is None:",
        "            if False:",
        "a step whose SymPy phase times out is not given its numeric fallback",
    ),
    _e(
        "symbolic-leibniz-doit",
        _S,
        "        if inner.has(sp.Integral):\n            return sp.Derivative(",
        "        if False:\n            return sp.Derivative(",
        "safe_doit differentiates under the integral sign (SymPy's unchecked Leibniz)",
    ),
    _e(
        "symbolic-force-log",
        _S,
        "lambda e: sp.expand(sp.expand_log(e)),",
        "lambda e: sp.expand(sp.expand_log(e, force=True)),",
        "is_zero expands logs with force=True (log μ² = 2 log μ for real μ)",
    ),
    _e(
        "symbolic-accumbounds",
        _S,
        "return bool(expr.has(sp.oo, -sp.oo, sp.zoo, sp.nan) or expr.atoms(sp.AccumBounds))",
        "return bool(expr.has(sp.oo, -sp.oo, sp.zoo, sp.nan))",
        "a limit that does not exist (AccumBounds) is not infinite/undefined",
    ),
    _e(
        "numeric-tail-unchecked",
        _N,
        "                    _check_tail(f, end, str(var))",
        "                    pass",
        "numeric quadrature skips the absolute-convergence check on an infinite range",
    ),
    _e(
        "numeric-central-difference",
        _N,
        "return (g(at + h) - g(at - h)) / (2 * h)",
        "return (g(at + h) - g(at - h)) / h",
        "d/dθ of an integral by a central difference without its ½",
        formula=True,
    ),
    _e(
        "bounded-no-timeout",
        _B,
        "readable, _, _ = select.select([self._fd], [], [], left)",
        "readable, _, _ = select.select([self._fd], [], [])",
        "the parent waits on the child without a deadline (a SymPy hang is a hang)",
    ),
    _e(
        "rules-leibniz-limits-unchecked",
        _R,
        "            moving = [b for b in bounds if b.has(parameter)]",
        "            moving = []",
        "Leibniz rule skips the moving-limits check",
    ),
    _e(
        "rules-substitution-slope",
        _R,
        "if slope.has(new) or slope.is_positive is not True:",
        "if slope.has(new):",
        "substitution accepts a negative slope",
    ),
    _e(
        "rules-ibp-boundary",
        _R,
        "if not all(_vanishes(v, var, end) for end in (sp.oo, -sp.oo)):",
        "if False:",
        "integration by parts skips v → 0 at ±∞",
    ),
    _e(
        "rules-ibp-uv",
        _R,
        "if concrete and not all(_vanishes(u * v, var, end) for end in (sp.oo, -sp.oo)):",
        "if False:",
        "integration by parts skips u·v → 0 at ±∞ for a concrete u",
    ),
    _e(
        "rules-pointwise-limits",
        _R,
        "if tuple(lhs.limits) != tuple(rhs.limits):\n"
        '            return _fail(method, f"limits differ: {lhs.limits} vs {rhs.limits}")',
        "pass",
        "pointwise rule ignores the limits",
    ),
    _e(
        "rules-leibniz-same-limits",
        _R,
        "if tuple(rhs.limits) != tuple(integral.limits):",
        "if len(rhs.limits) != len(integral.limits):",
        "Leibniz rule accepts a right side over other limits",
    ),
    # --- cli ----------------------------------------------------------------------------------
    _c(
        "cli-verify-exit-text",
        _CLI,
        "    return 0 if ok else 1\n\n\ndef _cmd_derive",
        "    return 0\n\n\ndef _cmd_derive",
        "`rtverify verify` exits 0 when an identity fails",
    ),
    _c(
        "cli-verify-exit-json",
        _CLI,
        "        return 0 if ok else 1\n    width",
        "        return 0\n    width",
        "`rtverify verify --json` exits 0 when an identity fails",
    ),
    _c(
        "cli-derive-exit",
        _CLI,
        'which step", file=sys.stderr)\n        return 1',
        'which step", file=sys.stderr)\n        return 0',
        "`rtverify derive` exits 0 when a derivation fails",
    ),
    _c(
        "cli-main-exit",
        _CLI,
        "return int(args.func(args) or 0)",
        "args.func(args)\n        return 0",
        "the command's exit status dropped",
    ),
    _c(
        "cli-usage-exit",
        _CLI,
        "return exc.code if isinstance(exc.code, int) else 2",
        "return 0",
        "an argparse usage error exits 0",
    ),
    _c(
        "cli-audit-exit",
        "rtverify/audit_cli.py",
        "    return 0 if ok else 1",
        "    return 0",
        "`rtverify audit` exits 0 when a case is not ok",
    ),
    _c(
        "cli-audit-missing-library",
        "rtverify/audit_cli.py",
        "is not installed\", file=sys.stderr)\n        return 2",
        "is not installed\", file=sys.stderr)\n        return 0",
        "`rtverify audit` of a library not installed exits 0",
    ),
]
