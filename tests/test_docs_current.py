"""The committed docs are exactly what `rtverify derive` writes: a stale page fails here."""

from __future__ import annotations

from pathlib import Path

from rtverify.docs import generate_pages

DOCS = Path(__file__).resolve().parents[1] / "docs" / "derivations"
FIX = "regenerate with: rtverify derive"


def test_every_generated_page_is_committed_and_current(derivation_reports):
    pages = generate_pages(derivation_reports)
    for name, text in pages.items():
        path = (DOCS / name).resolve()
        assert path.exists(), f"{path} is missing; {FIX}"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale; {FIX}"


def test_no_derivation_page_is_left_over_from_a_removed_derivation(derivation_reports):
    expected = {n for n in generate_pages(derivation_reports) if "/" not in n}
    committed = {p.name for p in DOCS.glob("*.md")}
    assert committed == expected, f"unexpected pages {committed - expected}; {FIX}"


def test_every_derivation_holds(derivation_reports):
    failures = [f for r in derivation_reports for f in r.failures]
    assert not failures, "\n".join(failures)
