"""Exit statuses the other CLI tests do not reach: `rtverify audit` of a library that cannot be
imported is a usage problem (2) with one line on stderr, never a success (0) or a traceback."""

from __future__ import annotations

import sys

from rtverify.cli import main


def test_auditing_a_library_that_is_not_installed_exits_two(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "jax", None)  # `import jax` now raises ImportError
    assert main(["audit", "jax"]) == 2
    err = capsys.readouterr().err
    assert "jax is not installed" in err and "Traceback" not in err
