"""Checking equations: statuses, the two phases of a check, and their time bounds.

Re-exported by :mod:`rtverify.derivation` (the public surface); see its docstring for the order
in which a step is checked. Every check runs in a child process killed at its deadline
(:mod:`rtverify._bounded`): phase 1 (rule and SymPy) has ``timeout`` seconds, phase 2 (numeric)
has :data:`NUMERIC_TIMEOUT`. A phase that runs out gives ``undecided`` (or, for phase 1 without
a rule, the numeric fallback) -- never a hang.
"""

from __future__ import annotations

import enum
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from rtverify import _bounded, _numeric
from rtverify._symbolic import infinite, is_zero, safe_doit

#: Seconds of processor time SymPy (and a rule) may spend on one step before the numeric
#: fallback takes over. Generous on purpose: the slowest shipped step takes about 2 s on one
#: idle core, and processor time, unlike wall time, does not grow when the machine is busy, so
#: the statuses in the generated docs do not depend on the machine's load.
STEP_TIMEOUT = 30.0
#: Seconds of processor time the numeric fallback may take before the step is ``undecided``.
NUMERIC_TIMEOUT = 60.0
#: However busy the machine, a phase is cut after this many times its limit in wall time (a
#: blocked child uses no processor time).
WALL_FACTOR = 10.0
_CLOCK = "of processor time" if _bounded.CPU_CLOCK else "(wall time)"
#: Working precision (decimal digits) of the numeric fallback.
NUMERIC_DIGITS = 50
#: Number of random points at which the numeric fallback compares both sides.
NUMERIC_POINTS = 3
#: Relative tolerance of the numeric fallback: far below float64 rounding, far above the
#: 50-digit working precision and mpmath's quadrature error on the smooth integrands used here.
NUMERIC_RTOL = mpmath.mpf("1e-25")


class Status(str, enum.Enum):
    """How a step was established."""

    PROVED = "proved"  # SymPy reduced lhs − rhs to 0 (or a rule with nothing left unchecked)
    HYPOTHESES = "hypotheses"  # holds under stated hypotheses: a rule about an abstract f
    NUMERIC = "numeric"  # SymPy could not decide; both sides agree at random points
    FAILED = "failed"  # the step is false: a counterexample, or a side is infinite
    UNDECIDED = "undecided"  # neither a proof nor a numeric evaluation succeeded
    RULE = "hypotheses"  # former name of HYPOTHESES (an alias, kept for scripts)

    @property
    def holds(self) -> bool:
        """True for proved, under hypotheses and numeric; false for failed and undecided."""
        return self in (Status.PROVED, Status.HYPOTHESES, Status.NUMERIC)

    @property
    def words(self) -> str:
        """The status in words, e.g. ``"holds under stated hypotheses"``."""
        return _WORDS[self]


_WORDS = {
    Status.PROVED: "proved",
    Status.HYPOTHESES: "holds under stated hypotheses",
    Status.NUMERIC: "numeric",
    Status.FAILED: "failed",
    Status.UNDECIDED: "undecided",
}


@dataclass(frozen=True)
class Check:
    """The outcome of checking one equation."""

    status: Status
    method: str  # how it was checked, in words, e.g. "simplify(lhs - rhs) == 0"
    detail: str = ""  # counterexample, rule conditions, or why SymPy could not decide
    seconds: float = 0.0


#: An explicit rule: given (lhs, rhs) return a Check: ``failed`` when a checked condition does
#: not hold; ``hypotheses`` when the step holds under conditions that are stated, not checked;
#: ``proved`` only when nothing is left unchecked.
Rule = Callable[[sp.Expr, sp.Expr], Check]


@dataclass(frozen=True)
class _Spec:
    lhs: sp.Expr
    rhs: sp.Expr
    rule: Rule | None
    prepare: Callable[[sp.Expr], sp.Expr] | None
    timeout: float
    seed: int
    numeric_only: bool = False  # refute: no proof attempt


def _abstract(*exprs: sp.Expr) -> bool:
    """Whether an undefined function (``f``) occurs: then no side has a value to compute."""
    return any(e.atoms(AppliedUndef) for e in exprs)


def _evaluate(side: sp.Expr, prepare) -> sp.Expr:
    side = prepare(side) if prepare is not None else side
    return safe_doit(side)


def _phase_one(spec: _Spec) -> Check | tuple[str, sp.Expr, sp.Expr, str]:
    """The rule and SymPy: a decided :class:`Check`, or ``(why not, lhs, rhs, rule note)`` for
    the numeric phase (the sides evaluated as far as SymPy got)."""
    note = ""
    if spec.rule is not None:
        ruled = spec.rule(spec.lhs, spec.rhs)
        integral = spec.lhs.has(sp.Integral) or spec.rhs.has(sp.Integral)
        if (
            ruled.status is Status.FAILED
            or _abstract(spec.lhs, spec.rhs)
            or (ruled.status is Status.HYPOTHESES and not integral)
        ):
            # an abstract f, or a stated relation between free symbols (no integral): the
            # rule's verdict stands; "hypotheses" is never counted as proved
            return ruled
        # a concrete integrand (or a rule claiming a proof): the rule's conditions are not
        # enough, both sides are evaluated
        note = f"{ruled.method} ({ruled.detail})" if ruled.detail else ruled.method
    try:
        lhs, rhs = _evaluate(spec.lhs, spec.prepare), _evaluate(spec.rhs, spec.prepare)
    except (NotImplementedError, ValueError, TypeError, RecursionError, AttributeError) as exc:
        return f"SymPy raised {type(exc).__name__}", spec.lhs, spec.rhs, note
    for name, side in (("lhs", lhs), ("rhs", rhs)):
        if not side.has(sp.Integral) and infinite(side):
            value = sp.sstr(side)
            value = value if len(value) < 80 else value[:77] + "..."
            return Check(
                Status.FAILED,
                "SymPy evaluation",
                f"{name} is infinite, undefined or divergent: SymPy gives {value}",
            )
    if lhs.has(sp.Integral) or rhs.has(sp.Integral):
        if _abstract(lhs, rhs) and is_zero(sp.Add(lhs, -rhs)):
            # integrals of an undefined f, equal as formal integrals (linearity, constants)
            return Check(Status.PROVED, "simplify(lhs - rhs) == 0 (formal integrals of f)", note)
        return "SymPy left an integral unevaluated", lhs, rhs, note
    try:
        if is_zero(sp.Add(lhs, -rhs)):
            return Check(Status.PROVED, "simplify(lhs - rhs) == 0", note)
    except (NotImplementedError, ValueError, TypeError, RecursionError, AttributeError) as exc:
        return f"simplify raised {type(exc).__name__}", lhs, rhs, note
    return "simplify(lhs - rhs) did not reduce to 0", lhs, rhs, note


def _random_value(symbol: sp.Symbol, rng: random.Random, k: int) -> sp.Rational:
    """A random exact value consistent with the symbol's assumptions, at the k-th point.

    The points probe where identities break: a real symbol is negative at point 0 and positive
    at point 1 (log(μ²) = 2 log μ and √a√b = √(ab) fail only for negative values), random after
    that; a positive symbol is large (1.5 … 2.5) at point 0 and small (0.3 … 0.9) at point 1."""
    if symbol.is_integer:
        low = 1 if symbol.is_positive else (0 if symbol.is_nonnegative else -3)
        return sp.Integer(rng.randint(low, 4))
    if symbol.is_positive or symbol.is_nonnegative:
        low, high = ((1500, 2500), (300, 900))[k] if k < 2 else (300, 2500)
        return sp.Rational(rng.randint(low, high), 1000)
    if symbol.is_negative:
        return -sp.Rational(rng.randint(300, 2500), 1000)
    magnitude = sp.Rational(rng.randint(300, 2000), 1000)
    if k == 0:
        return -magnitude
    if k == 1:
        return magnitude
    return sp.Rational(rng.randint(-2000, 2000), 1000)


_NUMERIC_METHOD = (
    f"numeric: mpmath at {NUMERIC_DIGITS} digits, {NUMERIC_POINTS} random points, "
    f"rtol {mpmath.nstr(NUMERIC_RTOL, 2)}"
)


def _bases(expr: sp.Expr) -> set:
    return {i.base.label for i in expr.atoms(sp.Indexed)}


def _instantiate(lhs: sp.Expr, rhs: sp.Expr, rng: random.Random, k: int):
    """A random point for the sides' free symbols; a sum over a symbolic range (e.g. d = 1…D)
    is expanded once D has its value, and each coordinate (``mu[1]``, …) gets a value of its
    own, by its base's assumptions. Returns the sides with the sums (and products) expanded and
    the point."""
    labels = _bases(lhs) | _bases(rhs)
    free = [
        s
        for s in sorted(lhs.free_symbols | rhs.free_symbols, key=str)
        if isinstance(s, sp.Symbol) and s not in labels
    ]
    point = {s: _random_value(s, rng, k) for s in free}
    sides = []
    for side in (lhs, rhs):
        if side.has(sp.Sum, sp.Product):
            side = side.subs(point).replace(
                lambda e: isinstance(e, (sp.Sum, sp.Product)), lambda e: e.doit(deep=False)
            )
        sides.append(side)
    for item in sorted(sides[0].atoms(sp.Indexed) | sides[1].atoms(sp.Indexed), key=str):
        point[item] = _random_value(item, rng, k)
    return sides[0], sides[1], point


def _compare(lhs: sp.Expr, rhs: sp.Expr, seed: int) -> Check:
    """Compare both sides at seeded random points (see :mod:`rtverify._numeric`)."""
    rng = random.Random(seed)
    with mpmath.workdps(NUMERIC_DIGITS):
        for k in range(NUMERIC_POINTS):
            left, right, point = _instantiate(lhs, rhs, rng, k)
            where = ", ".join(f"{s}={v}" for s, v in point.items())
            values = []
            for name, side in (("lhs", left), ("rhs", right)):
                try:
                    values.append(_numeric.value(side, point))
                except _numeric.Divergent as exc:
                    return Check(
                        Status.FAILED, _NUMERIC_METHOD, f"at {where}: {name} diverges ({exc})"
                    )
                except (_numeric.NotEvaluable, ValueError, TypeError, ZeroDivisionError) as exc:
                    return Check(
                        Status.UNDECIDED, _NUMERIC_METHOD, f"numeric evaluation failed: {exc}"
                    )
            a, b = values
            if abs(a - b) > NUMERIC_RTOL * max(abs(a), abs(b), mpmath.mpf(1)):
                sides = f"lhs = {mpmath.nstr(a, 12)}, rhs = {mpmath.nstr(b, 12)}"
                return Check(Status.FAILED, _NUMERIC_METHOD, f"at {where}: {sides}")
    return Check(Status.NUMERIC, _NUMERIC_METHOD, "both sides agree at every point")


def _phase_two(spec: _Spec, why: str, lhs: sp.Expr, rhs: sp.Expr, note: str) -> Check:
    check = _compare(lhs, rhs, spec.seed)
    detail = check.detail if check.status is Status.FAILED or not why else f"{why}; {check.detail}"
    if note:
        detail += f"; {note}"
    return Check(check.status, check.method, detail)


def _inline(spec: _Spec) -> Check:
    if spec.numeric_only:
        return _phase_two(spec, "", spec.lhs, spec.rhs, "")
    out = _phase_one(spec)
    return out if isinstance(out, Check) else _phase_two(spec, *out)


def _stamp(check: Check, seconds: float) -> Check:
    return Check(check.status, check.method, check.detail, seconds)


def check_all(specs: Sequence[_Spec]) -> list[Check]:
    """Check every spec, in order, in a child process killed at each phase's deadline; a
    killed child is replaced by a new one that goes on with the next phase or step."""
    if not _bounded.AVAILABLE:
        out = []
        for spec in specs:
            started = time.perf_counter()
            out.append(_stamp(_inline(spec), time.perf_counter() - started))
        return out
    results: list[Check | None] = [None] * len(specs)
    i, carry = 0, None  # carry: (why, seconds) when step i resumes at phase 2
    while i < len(specs):

        def body(send, start=i, resume=carry):
            for j in range(start, len(specs)):
                started = time.perf_counter()
                if (j == start and resume is not None) or specs[j].numeric_only:
                    why, spent = resume if j == start and resume else ("", 0.0)
                    send(("begin", j, 2))
                    check = _phase_two(specs[j], why, specs[j].lhs, specs[j].rhs, "")
                    send(("done", j, _stamp(check, spent + time.perf_counter() - started)))
                    continue
                send(("begin", j, 1))
                out = _phase_one(specs[j])
                if not isinstance(out, Check):
                    send(("begin", j, 2))
                    out = _phase_two(specs[j], *out)
                send(("done", j, _stamp(out, time.perf_counter() - started)))

        child = _bounded.Child(body)
        phase = 2 if carry or specs[i].numeric_only else 1
        step, began, first = i, time.monotonic(), time.monotonic()
        began_cpu = child.cpu_seconds()
        spent = carry[1] if carry else 0.0
        carry = None
        try:
            while i < len(specs):
                limit = specs[step].timeout if phase == 1 else NUMERIC_TIMEOUT
                message = child.receive_within_cpu(
                    limit, began_cpu, began + WALL_FACTOR * limit - time.monotonic()
                )
                if message[0] == "begin":
                    if message[1] != step:
                        first, spent = time.monotonic(), 0.0
                    step, phase, began = message[1], message[2], time.monotonic()
                    began_cpu = child.cpu_seconds()
                elif message[0] == "done":
                    results[message[1]] = message[2]
                    i = message[1] + 1
                else:  # ("error", text): the engine itself failed on this step
                    results[step] = Check(Status.UNDECIDED, "engine", f"error: {message[1]}")
                    i = step + 1
                    break
        except TimeoutError:
            elapsed = spent + time.monotonic() - first
            if phase == 1 and specs[step].rule is None:
                carry = (f"SymPy did not decide within {specs[step].timeout:g} s {_CLOCK}", elapsed)
                i = step
            else:
                what = "the rule" if phase == 1 else "the numeric fallback"
                limit = specs[step].timeout if phase == 1 else NUMERIC_TIMEOUT
                results[step] = Check(
                    Status.UNDECIDED,
                    _NUMERIC_METHOD if phase == 2 else "rule",
                    f"{what} did not finish within {limit:g} s {_CLOCK} (process killed)",
                    elapsed,
                )
                i = step + 1
        except _bounded.ChildDied:
            results[step] = Check(Status.UNDECIDED, "engine", "the checking process died")
            i = step + 1
        finally:
            child.close()
    return [r for r in results if r is not None]


def check_equation(
    lhs: sp.Expr,
    rhs: sp.Expr,
    *,
    rule: Rule | None = None,
    prepare: Callable[[sp.Expr], sp.Expr] | None = None,
    timeout: float = STEP_TIMEOUT,
    seed: int = 0,
) -> Check:
    """Check ``lhs = rhs``: by an explicit rule (alone only for an abstract f), by SymPy, or --
    only if SymPy cannot decide -- numerically (see :mod:`rtverify.derivation`). Runs in a
    child process bounded in time. Never raises on a mathematical failure."""
    [check] = check_all([_Spec(sp.sympify(lhs), sp.sympify(rhs), rule, prepare, timeout, seed)])
    return check


def refute(lhs: sp.Expr, rhs: sp.Expr, *, seed: int = 0) -> Check:
    """Look for a counterexample to ``lhs = rhs`` (for showing a published form is wrong).

    A false equation is disproved by one point where the sides differ, not by a failed proof, so
    this skips the symbolic attempt and goes straight to the 50-digit numeric comparison (in a
    child process bounded by :data:`NUMERIC_TIMEOUT`). Status ``failed`` (with the
    counterexample) means refuted; ``numeric`` means no counterexample was found.
    """
    spec = _Spec(sp.sympify(lhs), sp.sympify(rhs), None, None, 0.0, seed, numeric_only=True)
    [check] = check_all([spec])
    return check
