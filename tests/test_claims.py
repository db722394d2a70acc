"""The registry of source claims is complete, honest and every link on the page resolves."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from rtverify.claims import Claim, all_claims, render_source_claims
from rtverify.claims.model import CORRECTED, VERIFIED
from rtverify.registry import all_derivations

ROOT = Path(__file__).parents[1]
CLAIMS = all_claims()
NOTES_THEOREMS = (
    "Theorem 1.1",
    "Theorem 1.2",
    "Theorem 1.3",
    "Corollary 1.1",
    "Corollary 1.2",
    "Corollary 1.3",
    "Definition 1.1",
    "Definition 4.1",
    "Example 1.1",
    "Example 1.2",
    "Example 1.3",
    "Example 1.4",
    "Example 1.5",
    "Algorithm 1.1",
    "section 2",
    "section 3",
)


@functools.cache
def _test_functions(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))


@functools.cache
def _slugs() -> frozenset[str]:
    return frozenset(d.slug for d in all_derivations())


def _ids(claim: Claim) -> str:
    return claim.id


def test_there_is_a_row_for_every_numbered_equation_of_the_notes():
    ids = {c.id for c in CLAIMS}
    missing = [n for n in range(1, 48) if f"001 eq. ({n})" not in ids]
    assert not missing, f"no row for notes eq. {missing}"


def test_there_is_a_row_for_every_numbered_theorem_definition_and_example():
    ids = {c.id for c in CLAIMS}
    assert not [t for t in NOTES_THEOREMS if f"001 {t}" not in ids]


def test_the_other_sources_have_rows():
    documents = {c.document for c in CLAIMS}
    assert documents == {"000", "001", "002", "003"}


def test_a_claim_with_an_unknown_status_is_rejected():
    with pytest.raises(ValueError, match="status must be one of"):
        Claim("001 eq. (1)", "x", "proved")


def test_a_verified_claim_without_evidence_is_rejected():
    with pytest.raises(ValueError, match="needs evidence"):
        Claim("001 eq. (1)", "x", VERIFIED)


def test_a_corrected_claim_without_a_correct_form_is_rejected():
    with pytest.raises(ValueError, match="needs an erratum"):
        Claim("001 eq. (1)", "x", CORRECTED, note="wrong")


@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.evidence], ids=_ids)
def test_every_derivation_link_names_a_shipped_derivation(claim):
    dangling = [
        link.target for link in claim.evidence if not link.is_test and link.target not in _slugs()
    ]
    assert not dangling, f"{claim.id}: no derivation {dangling}"


@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.evidence], ids=_ids)
def test_every_test_link_names_an_existing_test_function(claim):
    dangling = [
        f"{link.target}::{link.name}"
        for link in claim.evidence
        if link.is_test
        and (not (ROOT / link.target).is_file() or link.name not in _test_functions(link.target))
    ]
    assert not dangling, f"{claim.id}: missing {dangling}"


def test_every_corrected_formula_is_printed_from_sympy_on_the_page():
    page = render_source_claims([])
    for c in CLAIMS:
        assert f"| {c.id} |" in page
        if c.erratum is not None:
            assert f"correct: ${c.erratum.name} = " in page


def test_the_page_has_one_row_per_claim_and_states_the_totals():
    page = render_source_claims([])
    rows = [line for line in page.splitlines() if line.startswith("| 00")]
    assert len(rows) == len(CLAIMS)
    assert f"({len(CLAIMS)} claims)" in page
