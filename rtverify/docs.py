"""Generation of ``docs/``: every page comes from checked objects, none is typed by hand.

``rtverify derive --out DIR`` writes the derivation pages and their index to ``DIR`` (default
``docs/derivations``) and the page of source claims to ``DIR/../source-claims.md``.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from pathlib import Path

from rtverify.derivation import DerivationReport
from rtverify.render import render_index, render_page

__all__ = ["CHECK_PAGES", "EXTRA_PAGES", "generate_pages", "write_pages"]

#: Further generated pages: (module, function taking the derivation reports and returning
#: Markdown, path relative to the derivations directory).
EXTRA_PAGES: tuple[tuple[str, str, str], ...] = (
    ("rtverify.claims", "render_source_claims", "../source-claims.md"),
    ("rtverify.experiment", "render_variance_page", "../variance-experiment.md"),
)
#: Pages made by running ``rtverify check`` on examples (slow: torch and jax are imported).
#: ``rtverify derive`` writes them; their staleness is judged by the stamp of their inputs
#: (``rtverify.check.docs.checking_stamp``), and in full under ``pytest -m slow``.
CHECK_PAGES: tuple[tuple[str, str, str], ...] = (
    ("rtverify.check.docs", "render_checking_page", "../checking.md"),
)


def generate_pages(
    reports: Sequence[DerivationReport], *, with_check_pages: bool = False
) -> dict[str, str]:
    """Map of page paths (relative to the derivations directory) to their Markdown text."""
    pages = {f"{r.derivation.slug}.md": render_page(r) for r in reports}
    pages["index.md"] = render_index(reports)
    for module_name, function, path in EXTRA_PAGES + (CHECK_PAGES if with_check_pages else ()):
        if importlib.util.find_spec(module_name) is not None:
            module = importlib.import_module(module_name)
            if hasattr(module, function):
                pages[path] = getattr(module, function)(reports)
    return pages


def write_pages(pages: dict[str, str], out: Path) -> list[Path]:
    """Write ``pages`` below ``out``; return the paths written."""
    written = []
    for name, text in sorted(pages.items()):
        path = (out / name).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
