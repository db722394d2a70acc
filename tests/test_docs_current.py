"""The committed docs are exactly what `rtverify derive` writes: a stale page fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from rtverify.docs import generate_pages

DOCS = Path(__file__).resolve().parents[1] / "docs" / "derivations"
FIX = "regenerate with: rtverify derive"


@pytest.fixture(scope="module")
def pages(derivation_reports):
    return generate_pages(derivation_reports)


def test_every_generated_page_is_committed_and_current(pages):
    for name, text in pages.items():
        path = (DOCS / name).resolve()
        assert path.exists(), f"{path} is missing; {FIX}"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale; {FIX}"


def test_no_derivation_page_is_left_over_from_a_removed_derivation(pages):
    expected = {n for n in pages if "/" not in n}
    committed = {p.name for p in DOCS.glob("*.md")}
    assert committed == expected, f"unexpected pages {committed - expected}; {FIX}"


def test_every_derivation_holds(derivation_reports):
    failures = [f for r in derivation_reports for f in r.failures]
    assert not failures, "\n".join(failures)


FIGURE = DOCS.parent / "figures" / "variance.svg"
FIGURE_FIX = "regenerate with: rtverify variance --plot docs/figures/variance.svg"


def test_the_committed_figure_plots_the_numbers_rtverify_variance_computes_now():
    """Without matplotlib: the SVG embeds its plotted numbers; they must be today's."""
    import re

    from rtverify.experiment import figure_data, run_study

    found = re.search(r"<dc:description>(.*?)</dc:description>", FIGURE.read_text())
    assert found, f"{FIGURE} carries no data; {FIGURE_FIX}"
    assert found.group(1) == figure_data(run_study()), f"{FIGURE} is stale; {FIGURE_FIX}"


def test_the_committed_figure_is_byte_for_byte_what_the_command_writes(tmp_path):
    pytest.importorskip("matplotlib")
    from rtverify.experiment import plot_study, run_study

    fresh = plot_study(run_study(), tmp_path / "variance.svg")
    assert fresh.read_bytes() == FIGURE.read_bytes(), f"{FIGURE} is stale; {FIGURE_FIX}"
