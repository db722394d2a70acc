"""The suite's statistical budget holds when the suite runs in several processes (pytest-xdist):
each worker's ledger reaches the controller, which prints and judges the sum."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _ledger(*options: str) -> int:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_stats_core.py",
            "-q",
            "-p",
            "no:cacheprovider",
            *options,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    return int(re.search(r"statistical assertions: (\d+);", proc.stdout).group(1))


def test_two_processes_count_the_same_statistical_assertions_as_one():
    pytest.importorskip("xdist")
    one = _ledger("-n", "0")
    assert one > 0
    assert _ledger("-n", "2") == one
