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
    assert "node down" not in proc.stdout + proc.stderr, (proc.stdout + proc.stderr)[-2000:]
    return int(re.search(r"statistical assertions: (\d+);", proc.stdout).group(1))


def test_two_processes_count_the_same_statistical_assertions_as_one():
    pytest.importorskip("xdist")
    one = _ledger("-n", "0")
    assert one > 0
    assert _ledger("-n", "2") == one


def test_the_ledger_holds_plain_numbers_that_a_worker_can_send_to_the_controller():
    """A NumPy α recorded in a worker made its ledger unsendable (execnet cannot serialise
    numpy.float64): that worker went down at the end and its assertions were never counted."""
    execnet = pytest.importorskip("execnet")
    import numpy as np

    from rtverify.stats._core import _Ledger

    ledger = _Ledger()
    ledger.record(np.float64(1e-9))
    ledger.record(np.float32(1e-9))
    assert execnet.loads(execnet.dumps((ledger.count, ledger.alpha_total)))[0] == 2
