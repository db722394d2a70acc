"""The ``rtverify`` command line: ``--version`` and exit status 2 for every usage error.

(``rtverify check`` has its own tests in ``test_check_cli.py``.)
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import rtverify
from rtverify.cli import main


def test_version_prints_the_installed_version_and_exits_zero(capsys):
    assert main(["--version"]) == 0
    out = capsys.readouterr().out.strip()
    assert re.fullmatch(r"rtverify \d+\.\d+\.\d+\S*", out), out
    assert out == f"rtverify {rtverify.__version__}"
    try:  # the version pip recorded agrees (when this interpreter has rtverify installed)
        assert out == f"rtverify {importlib.metadata.version('rtverify')}"
    except importlib.metadata.PackageNotFoundError:
        pass


def _usage_errors(tmp_file: str) -> dict[str, list[str]]:
    """Every kind of bad command line, by a readable id."""
    return {
        "no subcommand": [],
        "unknown subcommand": ["nope"],
        "unknown option": ["verify", "--bogus"],
        "unknown derivation": ["verify", "--only", "nope"],
        "one unknown among known derivations": ["verify", "--only", "gaussian-kl", "nope"],
        "zero jobs": ["verify", "--jobs", "0"],
        "jobs not a number": ["verify", "--jobs", "x"],
        "negative jobs for derive": ["derive", "--jobs", "-1"],
        "derive into a path below a file": ["derive", "--out", f"{tmp_file}/pages"],
        "variance with one repetition": ["variance", "--reps", "1"],
        "variance with zero samples": ["variance", "--sizes", "0"],
        "variance at theta nan": ["variance", "--theta", "nan"],
        "plot to an unknown format": ["variance", "--plot", "figure.xyz"],
        "plot below a file": ["variance", "--plot", f"{tmp_file}/figure.svg"],
    }


@pytest.mark.parametrize("case", list(_usage_errors("FILE")))
def test_every_usage_error_exits_two_with_a_message_and_no_traceback(case, tmp_path, capsys):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory")
    argv = _usage_errors(str(a_file))[case]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "rtverify" in err and ("error:" in err or ": " in err), err
    assert not (tmp_path / "a-file").is_dir()


def test_an_unknown_derivation_is_named_with_the_known_ones(capsys):
    assert main(["verify", "--only", "nope"]) == 2
    err = capsys.readouterr().err
    assert "usage: rtverify verify" in err
    assert "unknown derivation(s) nope; known: " in err and "gaussian-kl" in err


def test_the_process_exit_status_of_a_usage_error_is_two(tmp_path):
    # the copy under test, whether installed for this interpreter or not
    env = {**os.environ, "PYTHONPATH": str(Path(rtverify.__file__).resolve().parents[1])}
    proc = subprocess.run(
        [sys.executable, "-m", "rtverify", "verify", "--only", "nope"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
