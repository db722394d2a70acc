"""Exit statuses the other CLI tests do not reach: `rtverify audit` of a library that cannot be
imported is a usage problem (2) with one line on stderr, never a success (0) or a traceback;
`rtverify derive` exits 1 when a derivation fails (its pages are still written, saying which
step), 0 when all hold. The derivations and page writing are replaced by stand-ins: only the
command's exit logic is under test here (the pages are tested in test_docs_current)."""

from __future__ import annotations

import sys
import types

import pytest

from rtverify import cli, docs
from rtverify.cli import main


def test_auditing_a_library_that_is_not_installed_exits_two(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "jax", None)  # `import jax` now raises ImportError
    assert main(["audit", "jax"]) == 2
    err = capsys.readouterr().err
    assert "jax is not installed" in err and "Traceback" not in err


@pytest.mark.parametrize(("oks", "status"), [((True, False), 1), ((True, True), 0)])
def test_derive_exits_one_when_a_derivation_fails(oks, status, monkeypatch, tmp_path, capsys):
    reports = [types.SimpleNamespace(ok=ok) for ok in oks]
    monkeypatch.setattr(cli, "run_derivations", lambda jobs: reports)
    monkeypatch.setattr(docs, "generate_pages", lambda reports, with_check_pages: {})
    monkeypatch.setattr(docs, "write_pages", lambda pages, out: [])
    assert main(["derive", "--out", str(tmp_path / "pages")]) == status
    assert ("some derivations fail" in capsys.readouterr().err) == (status == 1)
