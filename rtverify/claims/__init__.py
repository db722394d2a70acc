"""The claims of the source documents, each with a status and the check that establishes it.

``render_source_claims(reports)`` is the page ``docs/source-claims.md`` (hooked into
``rtverify derive`` by :data:`rtverify.docs.EXTRA_PAGES`). The registry is :func:`all_claims`;
the errata (wrong formulas with their checked corrections) are in :mod:`rtverify.claims.errata`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rtverify.claims.model import (
    CORRECTED,
    NOT_APPLICABLE,
    STATUSES,
    VERIFIED,
    Claim,
    Erratum,
    Link,
)
from rtverify.derivation import DerivationReport

__all__ = [
    "CORRECTED",
    "NOT_APPLICABLE",
    "STATUSES",
    "VERIFIED",
    "Claim",
    "Erratum",
    "Link",
    "all_claims",
    "render_source_claims",
]


def all_claims() -> tuple[Claim, ...]:
    """Every claim: notebook (000), notes (001), Q&A (002), blog (003), in document order."""
    from rtverify.claims.notes import notes_claims
    from rtverify.claims.others import blog_claims, notebook_claims, qa_claims

    claims = (*notebook_claims(), *notes_claims(), *qa_claims(), *blog_claims())
    ids = [c.id for c in claims]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate claim ids: {duplicates}")
    return claims


def render_source_claims(reports: Sequence[DerivationReport]) -> str:
    """The Markdown page ``docs/source-claims.md`` for the checked derivations ``reports``."""
    from rtverify.claims.render import render_claims

    return render_claims(all_claims(), reports)
