"""`rtverify check` on the command line: the exit-code contract and clean output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rtverify.cli import main

CORPUS = Path(__file__).resolve().parent / "check_corpus"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_conforming_implementation_exits_zero_with_a_table_of_ticks(capsys):
    code, out, _ = _run(capsys, "gaussian-kl", f"{CORPUS}/kl_naive.py:impl")
    assert code == 0
    assert out.count("✔") == 6 and "CONFORMS" in out and "seed 0" in out


def test_failing_property_exits_one_and_names_the_mistake(capsys):
    code, out, _ = _run(capsys, "gaussian-kl", f"{CORPUS}/kl_missing_half.py:impl")
    assert code == 1
    assert "✘ agrees with the reference" in out and "off by a factor 2" in out


def test_json_report_is_valid_even_when_impl_prints(capfd):
    code = main(["check", "gaussian-kl", f"{CORPUS}/kl_prints.py:impl", "--json"])
    out, _ = capfd.readouterr()
    report = json.loads(out)  # a print() inside IMPL would break this
    assert code == 0 and report["ok"] is True and report["seed"] == 0
    assert [p["status"] for p in report["properties"]] == ["pass"] * 6


def test_json_report_of_a_failure_carries_the_counterexample(capsys):
    code, out, _ = _run(capsys, "reparam-sample", f"{CORPUS}/sample_exp_logvar.py:impl", "--json")
    report = json.loads(out)
    failed = [p for p in report["properties"] if p["status"] == "fail"]
    assert code == 1 and len(failed) == 1
    cx = failed[0]["counterexample"]
    assert set(cx) == {"inputs", "expected", "got", "note"} and "exp(logvar)" in failed[0]["detail"]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["gaussian-kl", "nosuch_dir/kl.py:impl"], "no file"),
        (["gaussian-kl", "no_such_module_xyz:impl"], "cannot import"),
        (["gaussian-kl", f"{CORPUS}/kl_naive.py:nope"], "has no attribute 'nope'"),
        (["gaussian-kl", f"{CORPUS}/kl_naive.py:TARGET"], "not a function"),
        (["gaussian-kl", "kl_naive"], "must be 'package.module:function'"),
        (["no-such-target", f"{CORPUS}/kl_naive.py:impl"], "unknown target"),
        (["gaussian-kl", f"{CORPUS}/kl_naive.py:impl", "--param", "sigma"], "--param: choose"),
        (["gaussian-kl", f"{CORPUS}/kl_naive.py:impl", "--reduction", "max"], "--reduction"),
        (["gaussian-kl", f"{CORPUS}/kl_naive.py:impl", "--seed", "-3"], "--seed"),
        (["gaussian-kl", f"{CORPUS}/kl_naive.py:impl", "--seed", "x"], "--seed"),
        (["score-gradient", f"{CORPUS}/kl_naive.py:impl", "--param", "std"], "does not apply"),
        (["reparam-sample", f"{CORPUS}/kl_naive.py:impl", "--reduction", "sum"], "does not apply"),
        (["gaussian-kl", f"{CORPUS}/kl_naive.py:impl", "--framework", "tf"], "--framework"),
        (["gaussian-kl", f"{CORPUS}/kl_naive.py:impl", "--dtype", "float16"], "--dtype"),
        (["gaussian-kl", f"{CORPUS}/kl_naive.py:impl", "--timeout", "soon"], "--timeout"),
        (["gaussian-kl", f"{CORPUS}/kl_naive.py:impl", "--budget", "-1"], "--budget"),
        (["gradient-estimator", f"{CORPUS}/kl_naive.py:impl"], "torch or jax"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_usage_errors_exit_two_with_one_line_saying_what_to_fix(capsys, argv, words):
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and words in err and "Traceback" not in err


def test_module_raising_at_import_exits_two(tmp_path, capsys):
    (tmp_path / "broken.py").write_text("raise RuntimeError('no GPU found')\n")
    code, _, err = _run(capsys, "gaussian-kl", f"{tmp_path}/broken.py:impl")
    assert code == 2 and "RuntimeError: no GPU found" in err


def test_package_module_spec_is_imported_from_the_current_directory(tmp_path, monkeypatch, capsys):
    pkg = tmp_path / "myvae"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "losses.py").write_text((CORPUS / "kl_naive.py").read_text())
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    code, out, _ = _run(capsys, "gaussian-kl", "myvae.losses:impl")
    assert code == 0, out


def test_console_script_runs_in_a_fresh_process_and_keeps_stdout_clean():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rtverify",
            "check",
            "gaussian-kl",
            f"{CORPUS}/kl_prints.py:impl",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)  # the whole of stdout is the JSON report
    assert report["ok"] is True
    assert any("IMPL printed" in note and "debug" in note for note in report["notes"])


def _console(*argv: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rtverify", "check", *argv],
        capture_output=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_a_terminal_that_cannot_show_the_symbols_gets_ascii_not_a_traceback(encoding):
    for name, code in (("kl_naive", 0), ("kl_missing_half", 1)):
        proc = _console(
            "gaussian-kl", f"{CORPUS}/{name}.py:impl", env={"PYTHONIOENCODING": encoding}
        )
        out = proc.stdout.decode(encoding)
        assert proc.returncode == code and b"Traceback" not in proc.stderr, proc.stderr
        assert "[ok]" in out and "CONFORM" in out and "✔" not in out


def test_a_closed_pipe_ends_quietly():
    proc = subprocess.run(
        f"{sys.executable} -m rtverify check gaussian-kl "
        f"{CORPUS}/kl_missing_half.py:impl | head -1",
        shell=True,
        capture_output=True,
        timeout=120,
    )
    assert proc.stdout.count(b"\n") == 1 and b"Traceback" not in proc.stderr, proc.stderr


def test_numpy_input_to_a_torch_impl_suggests_the_torch_framework():
    pytest.importorskip("torch")
    proc = _console("rsample", f"{CORPUS}/torch/rsample_randn_like.py:impl")
    assert proc.returncode == 1 and b"try --framework torch" in proc.stdout


def test_not_judged_exits_three():
    impls = Path(__file__).resolve().parent / "check_impls"
    proc = _console("gaussian-kl", f"{impls}/hostile.py:three_ms_per_call", "--budget", "0.02")
    assert proc.returncode == 3 and b"NOT JUDGED" in proc.stdout, proc.stdout


def test_an_internal_error_exits_one_with_one_line_never_zero(capsys, monkeypatch):
    import rtverify.check.core as core

    def broken(*args, **kwargs):
        raise RuntimeError("a bug of rtverify's own")

    monkeypatch.setattr(core, "run_check", broken)
    code, out, err = _run(capsys, "gaussian-kl", f"{CORPUS}/kl_naive.py:impl")
    assert code == 1 and out == "" and "internal error" in err and "Traceback" not in err


def test_json_is_identical_across_runs_apart_from_the_timing_field():
    runs = []
    for _ in range(2):
        proc = _console("gaussian-kl", f"{CORPUS}/kl_missing_half.py:impl", "--json", "--seed", "3")
        report = json.loads(proc.stdout)
        report.pop("seconds")
        runs.append(report)
    assert runs[0] == runs[1] and runs[0]["exit_code"] == 1


def test_surrogate_characters_in_impl_messages_survive_to_the_terminal(tmp_path):
    (tmp_path / "odd.py").write_text(
        "def impl(mu, logvar):\n    raise ValueError('bad byte \\udcff here')\n"
    )
    proc = _console("gaussian-kl", f"{tmp_path}/odd.py:impl")
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr, proc.stderr
    assert b"bad byte" in proc.stdout


def test_numpy_input_to_a_jax_impl_suggests_the_jax_framework():
    # jax.numpy accepts NumPy arrays: the IMPL runs, and fails by returning float32
    pytest.importorskip("jax")
    proc = _console("gaussian-kl", f"{CORPUS}/jax/kl_flax_vae.py:impl")
    assert proc.returncode == 1 and b"try --framework jax" in proc.stdout, proc.stdout
