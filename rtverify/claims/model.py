"""The data model of the page of source claims: one :class:`Claim` per claim of a source.

A claim has exactly one status (:data:`STATUSES`):

- ``verified``: a machine check (a derivation step proved by SymPy, or a test) establishes it;
- ``corrected``: the source's form is wrong; the correct form is established by a machine check
  and, for formulas, the source's form is shown to *fail* that same check (an :class:`Erratum`);
- ``not applicable``: a definition, a model assumption or prose: nothing to verify (the reason
  is stated).

Evidence is a tuple of :class:`Link` s to a derivation page (by slug) or to a test function (by
file and name); ``tests/test_claims.py`` checks that every link resolves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

__all__ = [
    "CORRECTED",
    "NOT_APPLICABLE",
    "STATUSES",
    "VERIFIED",
    "Claim",
    "Erratum",
    "Link",
    "derivation",
    "test",
]

VERIFIED = "verified"
CORRECTED = "corrected"
NOT_APPLICABLE = "not applicable"
#: The only statuses a claim may have.
STATUSES = (VERIFIED, CORRECTED, NOT_APPLICABLE)


@dataclass(frozen=True)
class Link:
    """Evidence: a derivation (``target`` = slug) or a test (``target`` = ``tests/….py``,
    ``name`` = the test function)."""

    target: str
    name: str = ""

    @property
    def is_test(self) -> bool:
        return self.target.startswith("tests/")

    def markdown(self) -> str:
        """A link relative to ``docs/`` (where the page lives)."""
        if self.is_test:
            return f"[`{self.target.removeprefix('tests/')}::{self.name}`](../{self.target})"
        return f"[{self.target}](derivations/{self.target}.md)"


def derivation(slug: str) -> Link:
    """Evidence: the derivation page ``docs/derivations/<slug>.md``."""
    return Link(slug)


def test(path: str, name: str) -> Link:
    """Evidence: the test function ``name`` in ``tests/<path>``."""
    if not path.endswith(".py") or "/" in path:
        raise ValueError(f"give a test file name like 'test_x.py', got {path!r}")
    return Link(f"tests/{path}", name)


@dataclass(frozen=True)
class Erratum:
    """A wrong formula of a source with its correction, as checked SymPy objects.

    ``check_equation(lhs, correct)`` must be proved and ``check_equation(lhs, erroneous)`` must
    fail (``tests/test_errata.py``); ``derivations/notes_errata.py`` proves the first as a chain.

    Attributes:
        lhs: the quantity the formula is about, from its definition (e.g. an expectation
            written as an integral in ε).
        correct: the correct right-hand side (checked instance).
        erroneous: the source's right-hand side, transcribed into the same instance.
        shown: the general form the page prints (``name = shown``); defaults to ``correct``.
        name: LaTeX of the left-hand side, e.g. ``\\mathbb{E}_{q}[\\log q]``.
        wrong: what was wrong, in words.
        instance: the instance in which the check is made (e.g. ``"D = 2"``), in words.
        prepare: passed to :func:`rtverify.derivation.check_equation`.
    """

    lhs: sp.Expr
    correct: sp.Expr
    erroneous: sp.Expr
    name: str
    wrong: str
    instance: str
    shown: sp.Basic | None = None
    prepare: Callable[[sp.Expr], sp.Expr] | None = None

    def correct_form(self) -> sp.Basic:
        """The right-hand side printed on the page as the correct form (after ``name =``)."""
        return self.correct if self.shown is None else self.shown


@dataclass(frozen=True)
class Claim:
    """One claim of a source document.

    Attributes:
        id: ``"<document> <place>"``, e.g. ``"001 eq. (25)"``, ``"000 cell [64]"``.
        claim: the claim in short (Markdown; ``$…$`` for formulas).
        status: one of :data:`STATUSES`.
        evidence: links establishing the claim (or its correction).
        note: remarks; for ``not applicable`` the reason; for ``corrected`` without an
            :class:`Erratum` what was wrong.
        erratum: the checked correction of a wrong formula.
        correct_text: the correct form when it is not a formula (e.g. a line of code).
    """

    id: str
    claim: str
    status: str
    evidence: tuple[Link, ...] = ()
    note: str = ""
    erratum: Erratum | None = None
    correct_text: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"{self.id}: status must be one of {STATUSES}, got {self.status!r}")
        if self.status == VERIFIED and not self.evidence:
            raise ValueError(f"{self.id}: 'verified' needs evidence (a derivation or a test)")
        if self.status == CORRECTED:
            if self.erratum is None and not self.correct_text:
                raise ValueError(f"{self.id}: 'corrected' needs an erratum or a correct form")
            if not self.evidence:
                raise ValueError(f"{self.id}: 'corrected' needs evidence for the correction")
        if self.status == NOT_APPLICABLE and not self.note:
            raise ValueError(f"{self.id}: 'not applicable' needs a reason")

    @property
    def document(self) -> str:
        """The source document's number, e.g. ``"001"``."""
        return self.id.split(" ", 1)[0]
