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


# --- the committed pages read well on GitHub ------------------------------------------------

ROOT = DOCS.parents[1]
MARKDOWN = sorted((ROOT / "docs").rglob("*.md"))


def _displays() -> list[tuple[str, str]]:
    import re

    return [
        (path.name, m.group(1))
        for path in MARKDOWN
        for m in re.finditer(r"\$\$(.*?)\$\$", path.read_text(encoding="utf-8"), re.DOTALL)
    ]


def test_no_display_formula_is_wider_than_a_page():
    """Bound: WIDTH_LIMIT_EM (44 em, ≈ 800 px at GitHub's formula size) by the estimate of
    ``rtverify.display.tex_width``; MathJax 3 measured these displays at 0.91-1.12 × the
    estimate (widest 43.8 em) when the bound was set."""
    from rtverify.display import WIDTH_LIMIT_EM, tex_width

    displays = _displays()
    assert len(displays) > 50
    too_wide = [
        (page, round(tex_width(tex))) for page, tex in displays if tex_width(tex) > WIDTH_LIMIT_EM
    ]
    assert not too_wide, f"displays wider than {WIDTH_LIMIT_EM} em: {too_wide}"


def test_headings_contain_no_python_syntax():
    import re

    for path in MARKDOWN:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                assert not re.search(r"\*\*|\w\*\w|\b[a-z]_\d", line), f"{path.name}: {line}"


def test_the_checked_column_is_in_words():
    import re

    for path in (ROOT / "docs" / "derivations").glob("*.md"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\| \(\d+\) \|", line):
                checked = line.rstrip(" |").rsplit(" | ", 1)[1]
                assert not re.search(r"\boo\b|\w\*\w|\b(epsilon|sigma|mu)\b", checked), line


def test_no_index_artefacts_and_no_paths_outside_the_repository():
    import re

    for path in [*MARKDOWN, ROOT / "README.md"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"_\{\d+\(\d+\)\}", text), path.name
        assert "shared/seeds" not in text and "../shared" not in text, path.name
