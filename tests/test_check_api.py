"""The Python API of `rtverify check`: callables, reports, robustness, plugin, determinism."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from rtverify import estimators, gaussian, stats
from rtverify.check import CheckFailed, ImplLoadError, Report, api, assert_conforms, check


def naive_kl(mu, logvar):
    return 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)


def test_a_callable_conforms_and_its_report_says_so():
    report = check("gaussian-kl", naive_kl)
    assert isinstance(report, Report) and report.ok and report.failures == []
    assert report.raise_if_failed() is report
    assert report.n_statistical_tests == 0 and report.false_alarm == 0.0
    assert report.impl.endswith(":naive_kl")


def test_the_reference_itself_conforms_in_every_parameterization():
    for param in gaussian.PARAMETERIZATIONS:
        assert check(
            "gaussian-kl", lambda m, p, q=param: gaussian.kl_standard_normal(m, p, q), param=param
        ).ok
        assert check(
            "reparam-sample", lambda m, p, e, q=param: gaussian.sample_diag(m, p, e, q), param=param
        ).ok


def test_raise_if_failed_raises_an_assertion_error_carrying_the_report():
    with pytest.raises(CheckFailed) as info:
        check("gaussian-kl", lambda mu, lv: 2 * naive_kl(mu, lv)).raise_if_failed()
    assert isinstance(info.value, AssertionError)
    assert "off by a factor 2" in str(info.value) and "expected" in str(info.value)


def test_assert_conforms_is_one_line_in_a_test_suite():
    assert assert_conforms("gaussian-kl", naive_kl, param="logvar").ok


def test_the_pytest_fixture_checks_in_one_line(rtverify_conforms):
    rtverify_conforms("reparam-sample", lambda mu, lv, eps: mu + np.exp(lv / 2) * eps)
    with pytest.raises(AssertionError, match="uses σ² where σ is due"):
        rtverify_conforms("reparam-sample", lambda mu, lv, eps: mu + np.exp(lv) * eps)


def test_the_plugin_is_cheap_to_import():
    code = (
        "import sys, rtverify.check.pytest_plugin; "
        "print(sorted({'numpy', 'sympy'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def test_same_seed_gives_the_same_verdict_and_counterexample():
    bug = lambda mu, lv: naive_kl(mu, 2 * lv)  # noqa: E731
    first = check("gaussian-kl", bug, seed=7).to_dict(timing=False)
    assert check("gaussian-kl", bug, seed=7).to_dict(timing=False) == first
    assert first["ok"] is False and first["seed"] == 7


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"target": "kl"}, ValueError),
        ({"param": "sigma"}, ValueError),
        ({"reduction": "max"}, ValueError),
        ({"seed": -1}, ValueError),
        ({"seed": 1.5}, ValueError),
        ({"false_alarm": 0.1}, ValueError),
        ({"impl": 42}, TypeError),
        ({"impl": "no_such_module_xyz:f"}, ImplLoadError),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, dict) else v.__name__,
)
def test_bad_arguments_raise_clear_errors(kwargs, error):
    args = {"target": "gaussian-kl", "impl": naive_kl, **kwargs}
    with pytest.raises(error):
        check(args.pop("target"), args.pop("impl"), **args)


def test_tolerance_admits_float64_rounding_but_not_a_relative_error_of_1e_10():
    assert check("gaussian-kl", lambda m, lv: naive_kl(m, lv) * (1 + 4e-16)).ok
    bad = check("gaussian-kl", lambda m, lv: gaussian.kl_standard_normal(m, lv) * (1 + 1e-10))
    assert [f.name for f in bad.failures] == ["agrees with the reference within float64 rounding"]


def _failure(impl, target="gaussian-kl"):
    report = check(target, impl)
    assert not report.ok
    return report.failures[0].detail


@pytest.mark.parametrize(
    ("impl", "words"),
    [
        (lambda mu, lv: float(naive_kl(mu, lv).sum()), "returns a scalar float"),
        (lambda mu, lv: np.zeros(len(mu), dtype=np.int64), "returns int64"),
        (lambda mu, lv: naive_kl(mu, lv) * np.nan, "returns nan"),
        (lambda mu, lv: "kl", "returns a str, not an array"),
        (lambda mu, lv: 1 / 0, "raises ZeroDivisionError: division by zero"),
        (lambda mu, lv: sys.exit(3), "raises SystemExit"),
        (lambda mu, lv: os._exit(3), "kills the process (exit code 3)"),
    ],
    ids=["scalar", "int", "nan", "str", "raises", "sys.exit", "os._exit"],
)
def test_misbehaving_impl_gives_a_clear_failure_line(impl, words):
    assert words in _failure(impl)


def test_a_hanging_impl_is_killed_after_the_call_timeout(monkeypatch):
    monkeypatch.setattr(api, "CALL_TIMEOUT_SECONDS", 0.5)
    started = time.perf_counter()
    detail = _failure(lambda mu, lv: time.sleep(30))
    assert "times out" in detail and time.perf_counter() - started < 5.0


@pytest.fixture(scope="module")
def score_report():
    report = check("score-gradient", estimators.score_samples, false_alarm=stats.ASSERTION_ALPHA)
    stats.ledger.record(report.false_alarm)
    return report


def test_the_textbook_score_estimator_conforms_with_exact_variance_tests(score_report):
    assert score_report.ok, score_report.render()
    assert score_report.n_statistical_tests == 12
    assert score_report.false_alarm == stats.ASSERTION_ALPHA
    assert any("identical to the textbook" in note for note in score_report.notes)
    variance = [n for n in score_report.notes if n.startswith("variance")]
    assert len(variance) == 3 and all("ratio" in n for n in variance)


def test_gradient_verdict_states_its_false_alarm_probability_and_seed(score_report):
    text = score_report.render(timing=False)
    assert "false-alarm probability ≤ 1e-09 (12 statistical tests, Bonferroni); seed 0" in text


def test_without_fork_the_calls_run_in_a_thread_and_a_hang_is_still_reported():
    from rtverify.check.sandbox import Sandbox

    box = Sandbox(lambda x: x if x.size < 3 else time.sleep(5), call_timeout=0.3, budget=5.0)
    box.forked = False  # as on platforms without fork
    box.start()
    assert box.call(np.zeros(2)).value.tolist() == [0.0, 0.0]
    assert "times out" in box.call(np.zeros(3)).error


@pytest.mark.torch
def test_a_torch_tensor_that_requires_grad_is_accepted_as_an_array():
    torch = pytest.importorskip("torch")

    def kl(mu, logvar):
        mu, logvar = (torch.tensor(a, requires_grad=True) for a in (mu, logvar))
        return 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(-1)

    assert check("gaussian-kl", kl).ok
