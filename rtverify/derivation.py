"""The derivation engine: named chains of equations, each checked by SymPy.

A :class:`Derivation` is a literate proof: prose, the symbols with their assumptions, and one or
more :class:`Chain` s. A chain starts from an expression and applies :class:`Step` s; each step
claims ``previous = step.rhs`` and carries its justification (``"log-derivative"``,
``"Leibniz rule: support of p(ε) independent of φ"``, ``"Gaussian moments"``) and the conditions
under which it holds.

How a step is checked (:func:`check_equation`), in order:

1. An explicit :class:`Rule`, if the step names one: the rule proves the step from its own
   machine-checked side conditions (status ``rule``).
2. Symbolic: ``simplify((lhs - rhs).doit()) == 0`` under a per-step time limit (status
   ``proved``). An unevaluated ``Integral`` left by ``doit`` means SymPy could not decide.
3. Numeric fallback, only when SymPy could not decide: at :data:`NUMERIC_POINTS` seeded
   random points respecting the symbols' assumptions, at :data:`NUMERIC_DIGITS` digits. When
   SymPy found a closed form of ``lhs - rhs`` that ``simplify`` could not reduce to 0, that
   closed form is evaluated (cheap); otherwise both sides are, integrals by mpmath quadrature.
   Agreement to :data:`NUMERIC_RTOL` gives status ``numeric`` -- evidence, never called a
   proof; the fallback is time-limited too (``undecided`` when it runs out).

A step is ``failed`` when a counterexample is found: a point where the sides differ. The
report's message names the derivation, the chain and the step, and gives the point.
:func:`refute` looks only for a counterexample (to show a published form is wrong).
"""

from __future__ import annotations

import contextlib
import enum
import random
import signal
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import mpmath
import sympy as sp

__all__ = [
    "NUMERIC_DIGITS",
    "NUMERIC_POINTS",
    "NUMERIC_RTOL",
    "NUMERIC_TIMEOUT",
    "STEP_TIMEOUT",
    "Chain",
    "Check",
    "Derivation",
    "DerivationReport",
    "Rule",
    "Status",
    "Step",
    "check_equation",
    "refute",
]

#: Seconds SymPy may spend on one step before the numeric fallback takes over. Generous on
#: purpose: every step of the shipped derivations decides in well under a second, so the status
#: recorded in the generated docs does not depend on the machine's speed.
STEP_TIMEOUT = 30.0
#: Seconds the numeric fallback may take before the step is reported ``undecided``.
NUMERIC_TIMEOUT = 60.0
#: Working precision (decimal digits) of the numeric fallback.
NUMERIC_DIGITS = 50
#: Number of random points at which the numeric fallback compares both sides.
NUMERIC_POINTS = 3
#: Relative tolerance of the numeric fallback: far below float64 rounding, far above the
#: 50-digit working precision and mpmath's quadrature error on the smooth integrands used here.
NUMERIC_RTOL = mpmath.mpf("1e-25")


class Status(str, enum.Enum):
    """How a step was established."""

    PROVED = "proved"  # simplify(lhs - rhs) == 0
    RULE = "rule"  # an explicit rule whose side conditions were checked by machine
    NUMERIC = "numeric"  # SymPy could not decide; both sides agree at random points
    FAILED = "failed"  # the step is false: a counterexample was found
    UNDECIDED = "undecided"  # neither a proof nor a numeric evaluation succeeded

    @property
    def holds(self) -> bool:
        return self in (Status.PROVED, Status.RULE, Status.NUMERIC)


@dataclass(frozen=True)
class Check:
    """The outcome of checking one equation."""

    status: Status
    method: str  # how it was checked, in words, e.g. "simplify(lhs - rhs) == 0"
    detail: str = ""  # counterexample, rule conditions, or why SymPy could not decide
    seconds: float = 0.0


#: An explicit rule: given (lhs, rhs) return a Check with status RULE or FAILED.
Rule = Callable[[sp.Expr, sp.Expr], Check]


@dataclass(frozen=True)
class Step:
    """One step ``previous expression = rhs`` of a chain.

    Args:
        rhs: the new expression.
        why: the justification, e.g. ``"log-derivative: ∇q = q ∇log q"``.
        conditions: the conditions under which the step holds, in words.
        rule: an explicit rule that proves the step instead of ``simplify``.
        prepare: applied to ``lhs - rhs`` before evaluation, e.g. ``lambda e: e.rewrite(sp.exp)``
            (SymPy integrates ``cos(k x)`` against a Gaussian only after that rewrite).
    """

    rhs: sp.Expr
    why: str
    conditions: tuple[str, ...] = ()
    rule: Rule | None = None
    prepare: Callable[[sp.Expr], sp.Expr] | None = None


@dataclass(frozen=True)
class Chain:
    """A chain ``start = s1.rhs = s2.rhs = …`` with a title and prose."""

    title: str
    start: sp.Expr
    steps: tuple[Step, ...]
    text: str = ""  # Markdown prose shown before the chain

    def equations(self) -> Iterator[tuple[sp.Expr, Step]]:
        """Yield ``(lhs, step)`` pairs: each step's left side is the previous right side."""
        lhs = self.start
        for step in self.steps:
            yield lhs, step
            lhs = step.rhs

    @property
    def result(self) -> tuple[sp.Expr, sp.Expr]:
        """The identity the chain establishes: ``start = last rhs`` (by transitivity)."""
        return self.start, self.steps[-1].rhs


@dataclass(frozen=True)
class Derivation:
    """A named, literate derivation: prose, symbols with assumptions, and checked chains."""

    slug: str  # file name of the generated page, e.g. "gaussian-kl"
    title: str
    summary: str  # one line, for tables
    chains: tuple[Chain, ...]
    text: str = ""  # Markdown introduction
    references: tuple[str, ...] = ()

    def symbols(self) -> list[sp.Symbol]:
        """Every free symbol of every chain, sorted by name."""
        found: set[sp.Symbol] = set()
        for chain in self.chains:
            found |= chain.start.free_symbols
            for step in chain.steps:
                found |= step.rhs.free_symbols
        symbols = (s for s in found if isinstance(s, sp.Symbol))
        # name, then assumptions: two symbols may share a name (e.g. L_11 > 0 and L_11 real)
        return sorted(symbols, key=lambda s: (s.name, sorted(s.assumptions0.items())))

    def verify(self, *, timeout: float = STEP_TIMEOUT) -> DerivationReport:
        """Check every step of every chain; see :func:`check_equation`."""
        started = time.perf_counter()
        checks: list[list[Check]] = []
        for c, chain in enumerate(self.chains):
            row = []
            for s, (lhs, step) in enumerate(chain.equations()):
                seed = zlib.crc32(f"{self.slug}/{c}/{s}".encode())
                row.append(
                    check_equation(
                        lhs,
                        step.rhs,
                        rule=step.rule,
                        prepare=step.prepare,
                        timeout=timeout,
                        seed=seed,
                    )
                )
            checks.append(row)
        return DerivationReport(self, checks, time.perf_counter() - started)


@dataclass
class DerivationReport:
    """The checks of a derivation, chain by chain and step by step."""

    derivation: Derivation
    checks: list[list[Check]]
    seconds: float = 0.0
    failures: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.failures = []
        for chain, row in zip(self.derivation.chains, self.checks, strict=True):
            for i, ((_, step), check) in enumerate(
                zip(chain.equations(), row, strict=True), start=1
            ):
                if not check.status.holds:
                    self.failures.append(
                        f"{self.derivation.slug}: chain '{chain.title}', step {i} ({step.why}) "
                        f"is {check.status.value}: {check.detail}"
                    )

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def n_steps(self) -> int:
        return sum(len(row) for row in self.checks)

    def count(self, status: Status) -> int:
        return sum(check.status is status for row in self.checks for check in row)

    def how(self) -> str:
        """How the steps were checked, e.g. ``"12 proved, 1 rule, 2 numeric"``."""
        parts = [f"{self.count(s)} {s.value}" for s in Status if self.count(s)]
        return ", ".join(parts)


# --------------------------------------------------------------------------------------------
# Checking one equation
# --------------------------------------------------------------------------------------------


class _StepTimeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`_StepTimeout` after ``seconds`` (main thread only; elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def _raise(signum, frame):  # pragma: no cover - timing dependent
        raise _StepTimeout

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _is_zero(expr: sp.Expr) -> bool:
    """Whether SymPy can show ``expr == 0`` (simplify, then a few targeted rewrites)."""
    if expr == 0:
        return True
    candidate = sp.simplify(expr)
    if candidate == 0:
        return True
    for transform in (
        lambda e: sp.expand(sp.expand_log(e, force=True)),
        lambda e: sp.simplify(sp.powsimp(sp.expand(e), force=True)),
        lambda e: sp.simplify(e.rewrite(sp.exp)),
    ):
        if transform(candidate) == 0:
            return True
    return False


def _symbolic(
    lhs: sp.Expr, rhs: sp.Expr, prepare, timeout: float
) -> tuple[bool, str, sp.Expr | None]:
    """``(proved, why not, closed form of lhs - rhs if SymPy found one)``."""
    try:
        with _time_limit(timeout):
            diff = sp.Add(lhs, -rhs)
            if prepare is not None:
                diff = prepare(diff)
            evaluated = diff.doit()
            if evaluated.has(sp.Integral):
                return False, "SymPy left an integral unevaluated", None
            if _is_zero(evaluated):
                return True, "", None
            return False, "simplify(lhs - rhs) did not reduce to 0", evaluated
    except _StepTimeout:
        return False, f"SymPy did not decide within {timeout:g} s", None
    except (NotImplementedError, ValueError, TypeError, RecursionError) as exc:
        return False, f"SymPy raised {type(exc).__name__}", None


def _random_value(symbol: sp.Symbol, rng: random.Random) -> sp.Rational:
    """A random exact value consistent with the symbol's assumptions."""
    if symbol.is_integer:
        low = 1 if symbol.is_positive else (0 if symbol.is_nonnegative else -3)
        return sp.Integer(rng.randint(low, 4))
    if symbol.is_positive or symbol.is_nonnegative:
        return sp.Rational(rng.randint(300, 2500), 1000)
    if symbol.is_negative:
        return -sp.Rational(rng.randint(300, 2500), 1000)
    return sp.Rational(rng.randint(-2000, 2000), 1000)


def _mp_limit(limit: sp.Expr) -> mpmath.mpf:
    if limit in (sp.oo, -sp.oo):
        return mpmath.inf if limit == sp.oo else -mpmath.inf
    return mpmath.mpmathify(sp.N(limit, NUMERIC_DIGITS))


def _quadrature(integral: sp.Integral) -> mpmath.mpf | mpmath.mpc:
    """An integral with numeric limits and integrand, by mpmath quadrature (tanh-sinh)."""
    variables = [lim[0] for lim in integral.limits]
    if any(len(lim) != 3 for lim in integral.limits):
        raise ValueError("indefinite integral")
    f = sp.lambdify(variables, integral.function, modules="mpmath")
    ranges = [[_mp_limit(lo), _mp_limit(hi)] for _, lo, hi in integral.limits]
    # split infinite ranges at 0, where the Gaussian weights used here concentrate
    ranges = [[lo, 0, hi] if lo < 0 < hi else [lo, hi] for lo, hi in ranges]
    return mpmath.quad(f, *ranges)


def _numeric_value(expr: sp.Expr, point: dict) -> mpmath.mpf | mpmath.mpc:
    """Evaluate ``expr`` at ``point`` with mpmath: derivatives symbolically, integrals by
    quadrature, the rest with ``evalf``."""
    expr = expr.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit())
    expr = expr.subs(point)
    integrals = {}
    for integral in expr.atoms(sp.Integral):
        v = mpmath.mpmathify(_quadrature(integral))
        integrals[integral] = sp.Float(v.real, NUMERIC_DIGITS) + sp.I * sp.Float(
            v.imag, NUMERIC_DIGITS
        )
    value = expr.xreplace(integrals).evalf(NUMERIC_DIGITS)
    if value.free_symbols or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise ValueError(f"could not evaluate numerically: {value}")
    return mpmath.mpmathify(complex(value) if not value.is_real else value)


def _sides_from_gap(lhs: sp.Expr, rhs: sp.Expr, point: dict, gap) -> str:
    """Describe a counterexample found on the closed-form difference: both sides' values when
    one side is free of integrals (the other is then that value plus or minus the gap)."""
    if not rhs.has(sp.Integral):
        b = _numeric_value(rhs, point)
        return f"lhs = {mpmath.nstr(b + gap, 12)}, rhs = {mpmath.nstr(b, 12)}"
    if not lhs.has(sp.Integral):
        a = _numeric_value(lhs, point)
        return f"lhs = {mpmath.nstr(a, 12)}, rhs = {mpmath.nstr(a - gap, 12)}"
    return f"lhs - rhs = {mpmath.nstr(gap, 12)} (closed form by SymPy), not 0"


_NUMERIC_METHOD = (
    f"numeric: mpmath at {NUMERIC_DIGITS} digits, {NUMERIC_POINTS} random points, "
    f"rtol {mpmath.nstr(NUMERIC_RTOL, 2)}"
)


def _numeric(lhs: sp.Expr, rhs: sp.Expr, seed: int, diff: sp.Expr | None = None) -> Check:
    """Compare both sides at seeded random points. With ``diff`` (a closed form of
    ``lhs - rhs`` that SymPy found but could not simplify to 0) only ``diff`` is evaluated --
    cheap even when the sides are multi-dimensional integrals -- and a side is evaluated only
    for the message when it is free of integrals."""
    rng = random.Random(seed)
    free = sorted((lhs.free_symbols | rhs.free_symbols), key=lambda s: s.name)
    with mpmath.workdps(NUMERIC_DIGITS):
        for _ in range(NUMERIC_POINTS):
            point = {s: _random_value(s, rng) for s in free}
            where = ", ".join(f"{s}={v}" for s, v in point.items())
            try:
                if diff is None:
                    a, b = _numeric_value(lhs, point), _numeric_value(rhs, point)
                    gap, scale = a - b, max(abs(a), abs(b), mpmath.mpf(1))
                else:
                    gap, scale = _numeric_value(diff, point), mpmath.mpf(1)
            except (ValueError, TypeError, ZeroDivisionError) as exc:
                return Check(Status.UNDECIDED, _NUMERIC_METHOD, f"numeric evaluation failed: {exc}")
            if abs(gap) > NUMERIC_RTOL * scale:
                if diff is None:
                    sides = f"lhs = {mpmath.nstr(a, 12)}, rhs = {mpmath.nstr(b, 12)}"
                else:
                    sides = _sides_from_gap(lhs, rhs, point, gap)
                return Check(Status.FAILED, _NUMERIC_METHOD, f"at {where}: {sides}")
    return Check(Status.NUMERIC, _NUMERIC_METHOD, "both sides agree at every point")


def check_equation(
    lhs: sp.Expr,
    rhs: sp.Expr,
    *,
    rule: Rule | None = None,
    prepare: Callable[[sp.Expr], sp.Expr] | None = None,
    timeout: float = STEP_TIMEOUT,
    seed: int = 0,
) -> Check:
    """Check ``lhs = rhs``: by an explicit rule, by SymPy, or -- only if SymPy cannot decide --
    numerically (see the module docstring). Never raises on a mathematical failure."""
    started = time.perf_counter()
    if rule is not None:
        check = rule(lhs, rhs)
        return Check(check.status, check.method, check.detail, time.perf_counter() - started)
    proved, why, closed = _symbolic(lhs, rhs, prepare, timeout)
    if proved:
        return Check(Status.PROVED, "simplify(lhs - rhs) == 0", "", time.perf_counter() - started)
    try:
        with _time_limit(NUMERIC_TIMEOUT):
            check = _numeric(lhs, rhs, seed, closed)
    except _StepTimeout:
        check = Check(
            Status.UNDECIDED, _NUMERIC_METHOD, f"numeric evaluation took over {NUMERIC_TIMEOUT:g} s"
        )
    detail = f"{why}; {check.detail}" if check.status is not Status.FAILED else check.detail
    return Check(check.status, check.method, detail, time.perf_counter() - started)


def refute(lhs: sp.Expr, rhs: sp.Expr, *, seed: int = 0) -> Check:
    """Look for a counterexample to ``lhs = rhs`` (for showing a published form is wrong).

    A false equation is disproved by one point where the sides differ, not by a failed proof, so
    this skips the symbolic attempt and goes straight to the 50-digit numeric comparison.
    Status ``failed`` (with the counterexample) means refuted; ``numeric`` means no
    counterexample was found at the random points.
    """
    started = time.perf_counter()
    check = _numeric(lhs, rhs, seed)
    return Check(check.status, check.method, check.detail, time.perf_counter() - started)
