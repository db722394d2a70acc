"""The Python API of `rtverify check`: callables, reports, options, determinism, robustness."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from rtverify import estimators, gaussian, stats
from rtverify.check import CheckFailed, ImplLoadError, Report, assert_conforms, check


def naive_kl(mu, logvar):
    return 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)


def doubled_kl(mu, logvar):
    return 2 * naive_kl(mu, logvar)


def kl_of_doubled_logvar(mu, logvar):
    return naive_kl(mu, 2 * logvar)


def kl_times(factor, mu, logvar):
    return gaussian.kl_standard_normal(mu, logvar) * factor


def sample_ok(mu, logvar, eps):
    return mu + np.exp(logvar / 2) * eps


def sample_var_for_std(mu, logvar, eps):
    return mu + np.exp(logvar) * eps


def test_a_callable_conforms_and_its_report_says_so():
    report = check("gaussian-kl", naive_kl)
    assert isinstance(report, Report) and report.ok and report.failures == []
    assert report.verdict == "CONFORMS" and report.exit_code == 0
    assert report.raise_if_failed() is report
    assert report.n_statistical_tests == 0 and report.false_alarm == 0.0
    assert report.impl.endswith(":naive_kl")


#: σ² and σ from the variance parameter p, written out here (not rtverify.gaussian's converters,
#: which the check's reference uses): a wrong conversion in the check fails these.
_VAR = {"logvar": np.exp, "log_std": lambda p: np.exp(2 * p), "std": np.square, "var": np.asarray}
_STD = {"logvar": lambda p: np.exp(p / 2), "log_std": np.exp, "std": np.asarray, "var": np.sqrt}


def kl_written_out(mu, p, param):
    """½ Σ (μ² + σ² − 1 − log σ²) in the parameter p itself (the naive form: the check admits its
    rounding)."""
    var = _VAR[param](p)
    return 0.5 * np.sum(mu**2 + var - 1.0 - np.log(var), axis=-1)


def sample_written_out(mu, p, eps, param):
    return mu + _STD[param](p) * eps


@pytest.mark.parametrize("param", gaussian.PARAMETERIZATIONS)
def test_an_independent_implementation_conforms_in_every_parameterization(param):
    """The check's reference and its inputs per parameterization against formulas written out
    here (the check reading p in another parameterization is tested by the corpus)."""
    kl = functools.partial(kl_written_out, param=param)
    sample = functools.partial(sample_written_out, param=param)
    assert check("gaussian-kl", kl, param=param).ok
    assert check("reparam-sample", sample, param=param).ok


def test_raise_if_failed_raises_an_assertion_error_led_by_a_one_line_summary():
    with pytest.raises(CheckFailed) as info:
        check("gaussian-kl", doubled_kl).raise_if_failed()
    text = str(info.value)
    assert isinstance(info.value, AssertionError)
    assert text.splitlines()[0].startswith("gaussian-kl ") and "DOES NOT CONFORM" in text
    assert "off by a factor 2" in text.splitlines()[0] and "expected" in text


def test_assert_conforms_is_one_line_in_a_test_suite():
    assert assert_conforms("gaussian-kl", naive_kl, param="logvar").ok


def test_the_pytest_fixture_checks_in_one_line(rtverify_conforms):
    rtverify_conforms("reparam-sample", sample_ok)
    with pytest.raises(pytest.fail.Exception, match="uses σ² where σ is due") as info:
        rtverify_conforms("reparam-sample", sample_var_for_std)
    assert str(info.value).startswith("reparam-sample ") and "DOES NOT CONFORM" in str(info.value)


def test_same_seed_gives_the_same_verdict_and_counterexample_and_another_seed_other_inputs():
    first = check("gaussian-kl", kl_of_doubled_logvar, seed=7).to_dict(timing=False)
    assert check("gaussian-kl", kl_of_doubled_logvar, seed=7).to_dict(timing=False) == first
    assert first["ok"] is False and first["seed"] == 7
    again = check("gaussian-kl", kl_of_doubled_logvar, seed=np.int64(7)).to_dict(timing=False)
    assert again == first  # a NumPy integer is a seed like any other


def test_a_seed_sequence_is_accepted_as_a_seed():
    report = check("gaussian-kl", naive_kl, seed=np.random.SeedSequence(12345))
    assert report.ok and report.seed == 12345


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"target": "kl"}, ValueError, "unknown target 'kl'"),
        ({"param": "sigma"}, ValueError, "param: choose one of"),
        ({"reduction": "max"}, ValueError, "reduction: choose one of"),
        ({"seed": -1}, ValueError, "seed: must be a non-negative integer"),
        ({"seed": 1.5}, ValueError, "seed: must be a non-negative integer"),
        ({"false_alarm": 0.1}, ValueError, "false_alarm"),
        ({"framework": "tensorflow"}, ValueError, "framework: choose one of numpy, torch, jax"),
        ({"dtype": "float16"}, ValueError, "dtype: choose float64 or float32"),
        ({"timeout": 0}, ValueError, "timeout: must be a positive number"),
        ({"impl": 42}, ImplLoadError, "impl must be a callable"),
        ({"impl": "no_such_module_xyz:f"}, ImplLoadError, "cannot import"),
        ({"impl": lambda mu, lv: mu}, ImplLoadError, "define it at module level"),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, dict) else None,
)
def test_bad_arguments_raise_clear_errors_in_the_api_s_own_words(kwargs, error, words):
    args = {"target": "gaussian-kl", "impl": naive_kl, **kwargs}
    with pytest.raises(error) as info:
        check(args.pop("target"), args.pop("impl"), **args)
    assert words in str(info.value) and "--" not in str(info.value)


def test_gradient_estimator_needs_a_framework_with_autograd():
    with pytest.raises(ValueError, match="torch or jax"):
        check("gradient-estimator", naive_kl)


def test_tolerance_admits_float64_rounding_but_not_a_relative_error_of_1e_10():
    assert check("gaussian-kl", functools.partial(kl_times, 1 + 4e-16)).ok
    bad = check("gaussian-kl", functools.partial(kl_times, 1 + 1e-10))
    assert [f.name for f in bad.failures] == ["agrees with the reference within float64 rounding"]


def sample_times(factor, mu, p, eps):
    return gaussian.sample_diag(mu, p, eps) * factor


@pytest.mark.parametrize("dtype, u", [("float64", 2.0**-53), ("float32", 2.0**-24)])
def test_an_implementation_a_few_times_the_rounding_bound_off_does_not_conform(dtype, u):
    """Relative errors the check's tolerance must not admit, from what a correct implementation
    can err (u the unit roundoff of dtype; the implementations compute in float64 on the inputs
    as given, then scale):

    - KL, a sum of D + 1 non-negative rounded terms: a correct one errs by ≤ (D + 3) u, 4 u at
      D = 1. The tolerance, K_ROUNDING·u·(D + 4)·Σ|terms| with K_ROUNDING = 4, is ≈ 40 u of the
      KL on the examples with |μ| ≫ 1 (KL ≈ μ²/2, Σ|terms| ≈ μ²). An error of 100 u — 25× a
      correct one's, 2.5× the tolerance — must fail.
    - sample μ + σε: a correct one errs by ≤ 3 u of |z| where |μ| ≫ |σε| at log σ² = 0; the
      tolerance, K_ROUNDING·u·(|μ| + |σε|(2 + |log σ²|)), is ≈ 4 u of |z| there. An error of 30 u
      — 10× a correct one's, 7.5× the tolerance — must fail.

    With the constant 10× looser (K_ROUNDING = 40 in targets/gaussian.py) both conform: tried."""
    kl = check("gaussian-kl", functools.partial(kl_times, 1 + 100 * u), dtype=dtype)
    sample = check("reparam-sample", functools.partial(sample_times, 1 + 30 * u), dtype=dtype)
    for report in (kl, sample):
        assert not report.ok, report.render()
        assert "agrees with the reference" in report.failures[0].name, report.render()


def returns_scalar(mu, lv):
    return float(naive_kl(mu, lv).sum())


def returns_int(mu, lv):
    return np.zeros(len(mu), dtype=np.int64)


def returns_nan(mu, lv):
    return naive_kl(mu, lv) * np.nan


def returns_str(mu, lv):
    return "kl"


def returns_complex(mu, lv):
    return naive_kl(mu, lv) + 0j


def returns_object(mu, lv):
    return np.array([object()] * len(mu))


def divides_by_zero(mu, lv):
    return 1 / 0


def calls_sys_exit(mu, lv):
    sys.exit(3)


def calls_os_exit(mu, lv):
    os._exit(3)


@pytest.mark.parametrize(
    ("impl", "words"),
    [
        (returns_scalar, "returns a scalar float"),
        (returns_int, "agrees"),  # int64 zeros: judged on value, and wrong
        (returns_nan, "returns nan"),
        (returns_str, "returns a str, not a numeric array"),
        (returns_complex, "returns complex values"),
        (returns_object, "not a numeric array"),
        (divides_by_zero, "raises ZeroDivisionError: division by zero"),
        (calls_sys_exit, "raises SystemExit"),
        (calls_os_exit, "kills the process"),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_misbehaving_impl_gives_a_clear_failure_line(impl, words):
    report = check("gaussian-kl", impl)
    assert not report.ok and report.exit_code == 1
    text = " ".join(f"{f.name} {f.detail}" for f in report.failures)
    assert words in text, report.render()


@pytest.fixture(scope="module")
def score_report():
    report = check("score-gradient", estimators.score_samples, false_alarm=stats.ASSERTION_ALPHA)
    stats.ledger.record(report.false_alarm)
    return report


def test_the_textbook_score_estimator_conforms_without_a_statistical_test(score_report):
    assert score_report.ok, score_report.render()
    assert score_report.n_statistical_tests == 0  # per-sample identity: unbiased with certainty
    assert any("unbiased with certainty" in note for note in score_report.notes)


def test_the_check_s_seed_reaches_the_noise_impl_draws_itself():
    impl = str(Path(__file__).resolve().parent / "check_corpus" / "rsample" / "numpy_generator.py")
    first, again, other = (
        check("rsample", f"{impl}:impl", seed=s, false_alarm=stats.ASSERTION_ALPHA)
        for s in (0, 0, 1)
    )
    stats.ledger.record(first.false_alarm + other.false_alarm)  # a correct sampler, two seeds
    assert first.ok and other.ok
    law = [n for n in first.notes if "Kolmogorov" in n]
    assert law == [n for n in again.notes if "Kolmogorov" in n]  # same seed, same noise
    assert law != [n for n in other.notes if "Kolmogorov" in n]  # another seed, other noise


def pair_kl_log_std(mu_q, log_std_q, mu_p, log_std_p):
    """A pair KL in log σ as float32 code writes it (it overflows where σ² does)."""
    var_q, var_p = np.exp(2 * log_std_q), np.exp(2 * log_std_p)
    return 0.5 * np.sum(
        2 * (log_std_p - log_std_q) + (var_q + (mu_q - mu_p) ** 2) / var_p - 1, axis=-1
    )


def test_a_pair_kl_checked_under_the_wrong_param_gets_a_verdict_not_an_internal_error():
    # the diagnosis tries "reads logvar as std" on negative log-variances: that mistake cannot
    # be evaluated there, and must not end the check
    report = check("gaussian-kl-pair", pair_kl_log_std, param="logvar", dtype="float32")
    assert report.exit_code == 1 and not report.ok


def kl_half_cast_back(mu, logvar):
    """A KL in float16, cast back: inf at large logvar, half-precision rounding elsewhere."""
    m, lv = mu.astype(np.float16), logvar.astype(np.float16)
    return (0.5 * np.sum(m**2 + np.exp(lv) - 1 - lv, axis=-1)).astype(mu.dtype)


def test_a_finite_counterexample_is_named_for_its_error_not_for_an_inf_elsewhere():
    # the accuracy failure shows a finite counterexample (half-precision rounding); the inf of
    # another input case belongs to the finiteness property, not to this one's words
    report = check("gaussian-kl", kl_half_cast_back, dtype="float32")
    agrees = next(f for f in report.failures if f.name.startswith("agrees"))
    assert "half precision" in agrees.detail and "inf" not in agrees.detail, report.render()
    assert any(f.name.startswith("finite") and "inf" in f.detail for f in report.failures)
