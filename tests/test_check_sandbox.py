"""The sandbox of `rtverify check`: nothing IMPL does escapes it, and time is never a verdict."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from rtverify.check import check
from rtverify.check.calls import Call
from rtverify.check.sandbox import BudgetSpent, Sandbox

IMPLS = Path(__file__).resolve().parent / "check_impls"
HOSTILE = f"{IMPLS}/hostile.py"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


#: Per-call timeout in these tests: the calls that must answer take microseconds (3000× margin
#: under load), the hanging ones never answer, so no machine speed changes a verdict.
CALL_TIMEOUT = 3.0
#: How long a killed process may take to disappear under load (polled: costs nothing when fast).
DEATH_WAIT = 30.0


def _wait_until_dead(*pids: int) -> None:
    deadline = time.monotonic() + DEATH_WAIT
    while any(map(_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_per_call_timeout_holds_for_every_call_not_only_the_first():
    ones = np.ones((2, 2))
    with Sandbox(f"{HOSTILE}:slow_on_the_fourth_call", call_timeout=CALL_TIMEOUT) as box:
        box.start()
        results = box.run([Call((ones, ones))] * 6)
    assert [r.error is None for r in results] == [True, True, True, False]
    assert "times out" in results[-1].error


def test_a_spent_budget_raises_budget_spent_not_a_failure():
    ones = np.ones((2, 2))
    with Sandbox(f"{HOSTILE}:three_ms_per_call", budget=0.05) as box:
        box.start()
        with pytest.raises(BudgetSpent):
            box.run([Call((ones, ones))] * 200)


def test_a_slow_correct_impl_is_not_judged_exit_3_never_failed():
    report = check("gaussian-kl", f"{HOSTILE}:three_ms_per_call", budget=0.02)
    assert report.verdict == "NOT JUDGED" and report.exit_code == 3 and not report.failures
    assert any("--budget" in note for note in report.notes)
    assert check("gaussian-kl", f"{HOSTILE}:three_ms_per_call").ok


def test_impl_writing_to_stderr_is_captured_and_reported(capfd):
    report = check("gaussian-kl", f"{HOSTILE}:writes_to_stderr")
    out, err = capfd.readouterr()
    assert report.ok and "stderr" not in out + err
    assert any("IMPL printed" in n and "warning: this goes to stderr" in n for n in report.notes)


def test_impl_may_use_multiprocessing():
    report = check("gaussian-kl", f"{HOSTILE}:uses_a_process_pool")
    assert report.ok, report.render()


def test_impl_s_children_die_with_the_check(tmp_path, monkeypatch):
    pids = tmp_path / "pids"
    monkeypatch.setenv("RTVERIFY_TEST_PIDS", str(pids))
    report = check("gaussian-kl", f"{HOSTILE}:starts_a_grandchild_and_hangs", timeout=CALL_TIMEOUT)
    assert "times out" in report.failures[0].detail
    worker, grandchild = map(int, pids.read_text().split())
    _wait_until_dead(worker, grandchild)
    assert not _alive(worker) and not _alive(grandchild)


def test_killing_rtverify_with_sigkill_leaves_nothing_running(tmp_path):
    pids = tmp_path / "pids"
    env = {**os.environ, "RTVERIFY_TEST_PIDS": str(pids)}
    cmd = [sys.executable, "-m", "rtverify", "check", "gaussian-kl"]
    proc = subprocess.Popen([*cmd, f"{HOSTILE}:starts_a_grandchild_and_hangs"], env=env)
    deadline = time.monotonic() + 60
    while not pids.exists() or not pids.read_text().strip():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    worker, grandchild = map(int, pids.read_text().split())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _wait_until_dead(worker, grandchild)
    assert not _alive(worker) and not _alive(grandchild)


def test_a_module_patching_the_reference_or_numpy_cannot_make_a_wrong_kl_conform():
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); import tampering\n"
        "from rtverify.check import check\n"
        "r = check('gaussian-kl', tampering.kl_missing_half)\n"
        "print(json.dumps([r.ok, [f.detail for f in r.failures]]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(IMPLS)], capture_output=True, text=True, timeout=120
    )
    ok, details = json.loads(proc.stdout)
    assert ok is False and any("factor 2" in d for d in details), proc.stdout + proc.stderr


@pytest.mark.jax
def test_a_caller_that_ran_jax_does_not_deadlock_the_check():
    pytest.importorskip("jax")
    code = (
        "import jax.numpy as jnp; jnp.ones(3).sum().block_until_ready()\n"
        f"from rtverify.check import check; print(check('gaussian-kl', '{HOSTILE}:kl').ok)"
    )
    proc = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.strip() == "True", proc.stderr
    assert "fork" not in proc.stderr


def test_check_inside_a_worker_is_refused_with_advice(tmp_path):
    script = tmp_path / "script_without_guard.py"
    script.write_text(
        "import numpy as np\nfrom rtverify.check import check\n"
        "def kl(mu, lv):\n    return 0.5 * np.sum(mu**2 + np.exp(lv) - 1 - lv, axis=-1)\n"
        "print(check('gaussian-kl', kl).verdict)\n"
    )
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert "__name__ == '__main__'" in proc.stderr + proc.stdout, proc.stderr
