"""The derivation engine: named chains of equations, each checked by SymPy.

A :class:`Derivation` is a literate proof: prose, the symbols with their assumptions, and one or
more :class:`Chain` s. A chain starts from an expression and applies :class:`Step` s; each step
claims ``previous = step.rhs`` and carries its justification (``"log-derivative"``,
``"Leibniz rule: support of p(ε) independent of φ"``, ``"Gaussian moments"``) and the conditions
under which it holds.

How a step is checked (:func:`check_equation`), in order:

1. An explicit :class:`Rule`, if the step names one, checks its machine-checkable conditions
   (``failed`` when one does not hold). For a step about an *abstract* ``f`` (an undefined
   function) the rule's verdict stands: ``hypotheses`` -- *holds under stated hypotheses*, the
   analytic conditions (domination, integrability) being stated, not checked -- or ``proved``
   for a rule that leaves nothing unchecked (equal integrands, an affine change of variables).
   For a *concrete* integrand the rule is never enough: the step goes on to 2 and 3.
2. Symbolic: each side is evaluated (``prepare``, then ``doit`` -- but a derivative of an
   integral only through the integral's closed form, never by differentiating under the
   integral sign) and ``lhs - rhs`` is simplified without assumption-changing rewrites (no
   ``force=True``). Reduced to 0: ``proved``. A side that is infinite or undefined: ``failed``.
3. Numeric fallback, only when SymPy could not decide: at :data:`NUMERIC_POINTS` seeded random
   points respecting the symbols' assumptions, at :data:`NUMERIC_DIGITS` digits, integrals by
   mpmath quadrature that refuses integrals that do not converge absolutely (``failed``: a
   divergent side never "agrees"), derivatives of integrals by differences of quadratures.
   Agreement to :data:`NUMERIC_RTOL` gives ``numeric`` -- evidence, never called a proof.

Every check runs in a child process that is killed at its deadline (``timeout`` for phases 1
and 2, :data:`NUMERIC_TIMEOUT` for 3): a step that runs out is ``undecided``, never a hang.
A step is ``failed`` when a counterexample is found: a point where the sides differ. The
report's message names the derivation, the chain and the step, and gives the point.
:func:`refute` looks only for a counterexample (to show a published form is wrong).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import sympy as sp

from rtverify._engine import (
    NUMERIC_DIGITS,
    NUMERIC_POINTS,
    NUMERIC_RTOL,
    NUMERIC_TIMEOUT,
    STEP_TIMEOUT,
    Check,
    Rule,
    Status,
    _Spec,
    check_all,
    check_equation,
    refute,
)

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
    "verify_all",
]


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
    #: What the derivation covers, in a few words: "any differentiable f" (general),
    #: "f in the test family" (family of f), "k = 2 and 3 (instances)" (dimension instances).
    scope: str = ""

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

    def specs(self, timeout: float = STEP_TIMEOUT) -> list[_Spec]:
        """What to check, step by step (each seeded by its place in the derivation)."""
        return [
            _Spec(lhs, step.rhs, step.rule, step.prepare, timeout, _seed(self.slug, c, s))
            for c, chain in enumerate(self.chains)
            for s, (lhs, step) in enumerate(chain.equations())
        ]

    def verify(self, *, timeout: float = STEP_TIMEOUT) -> DerivationReport:
        """Check every step of every chain; see :func:`check_equation`."""
        [report] = verify_all([self], timeout=timeout)
        return report


def _seed(slug: str, chain: int, step: int) -> int:
    return zlib.crc32(f"{slug}/{chain}/{step}".encode())


def verify_all(
    derivations: Sequence[Derivation], *, timeout: float = STEP_TIMEOUT
) -> list[DerivationReport]:
    """Check every step of several derivations in one bounded child process (SymPy's caches
    then serve them all); a report's ``seconds`` is the sum of its steps' times."""
    flat = iter(check_all([spec for d in derivations for spec in d.specs(timeout)]))
    reports = []
    for d in derivations:
        checks = [[next(flat) for _ in chain.steps] for chain in d.chains]
        seconds = sum(check.seconds for row in checks for check in row)
        reports.append(DerivationReport(d, checks, seconds))
    return reports


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
        """How the steps were checked, e.g. ``"12 proved, 1 under hypotheses, 2 numeric"``."""
        words = {Status.HYPOTHESES: "under hypotheses"}
        parts = [f"{self.count(s)} {words.get(s, s.value)}" for s in Status if self.count(s)]
        return ", ".join(parts)
