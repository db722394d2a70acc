"""Gradient targets: ``score-gradient`` and ``pathwise-gradient``.

IMPL(f, df, mu, sigma, eps) → (n, 2): per-sample estimates of (∂/∂μ, ∂/∂σ) E_{z∼N(μ,σ²)}[f(z)]
(notes eq. (14)–(16) for the score function, (42)–(43) for the pathwise estimator). An estimator
may couple the samples of one call (a baseline), so unbiasedness is judged on each call's mean,
over ``CALLS[n]`` independent calls, at small n (2 and 10, where batch-coupling bugs show), for
several f (smooth ones for the pathwise estimator), μ and σ ≠ 1.

Each (f, μ, σ, n, component) is one two-sided z-test of E[call mean] = exact gradient
(:mod:`rtverify.testfunctions`, derived symbolically) at level α = false_alarm / (number of
tests × ``TAIL_MARGIN``) (Bonferroni, with a margin for the normal approximation), so
P(a correct IMPL fails the check) ≤ ``false_alarm`` (1e-6 by default).
When IMPL's per-sample output equals the textbook estimator
(:mod:`rtverify.estimators`) the exact standard deviation √(Var/n) is used; otherwise the test is
studentised with the call means and corrected for their skewness (Hall 1992,
:func:`rtverify.stats.skew_corrected_mean_test`). The effective per-sample variance n·Var(call
mean) is reported next to the textbook estimator's exact variance (reported, not judged).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from rtverify.check import grad_mistakes
from rtverify.check.report import FAIL, NOT_RUN, PASS, Counterexample, PropertyResult, Report
from rtverify.check.sandbox import CallResult, FunctionRef, Sandbox

__all__ = [
    "CALLS",
    "CASES",
    "SMALL_N",
    "call_mean_tests",
    "load_functions",
    "prepare",
    "run_grad",
    "test_function",
]

#: (f, μ, σ): smooth bounded f (valid for both estimators; light tails keep the z-tests'
#: extreme quantiles honest — z² at n = 2 made the studentised test's 4.4σ tail 60× too
#: heavy), several μ, σ ≠ 1 on both sides. The bump at σ = 2 makes a σ-component off by a
#: factor σ (a log σ score), a missing 1/σ or a σ² score visible in ≤ 830 samples (power 0.999
#: at α = 1e-9/12); sin(z) at σ = 1.5 in ≤ 2760.
CASES = (("exp(-z^2/2)", 1.2, 2.0), ("sin(z)", 0.8, 1.5), ("cos(z)", -0.5, 0.6))
SMALL_N = (2, 10)  # samples per call in the unbiasedness tests
SHAPE_N = (2, 10, 1000)  # samples per call in the shape test
#: Independent calls per (f, μ, σ) at each n: 2000 samples at n = 2, 4000 at n = 10.
CALLS = {2: 1000, 10: 400}
IDENTICAL_RTOL = 1e-12  # per-sample agreement with the textbook estimator (rounding only)
_GLOBAL_SEEDS = (12345, 54321)
#: The z-tests' extreme tails rest on the normal approximation of ~1000 call means; simulated,
#: the skew-corrected test exceeds 4.42 up to ~3× as often as nominal (benchmarks/
#: check_false_alarm.py --only calibration). Each test therefore spends α/10 of its share.
TAIL_MARGIN = 10.0
COMPONENTS = ("∂/∂μ", "∂/∂σ")


def test_function(name: str) -> Any:
    """The :class:`rtverify.testfunctions.TestFunction` called ``name``."""
    from rtverify import testfunctions

    return testfunctions.get(name)


test_function.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


@functools.cache
def _exact(target: str, name: str, mu: float, sigma: float) -> tuple[tuple, tuple]:
    tf = test_function(name)
    var = (
        tf.score_variance(mu, sigma)
        if target == "score-gradient"
        else tf.pathwise_variance(mu, sigma)
    )
    return tf.grad(mu, sigma), var


def load_functions() -> None:
    """Import the test functions (so that a worker forked afterwards has them)."""
    for name, _, _ in CASES:
        test_function(name)


def prepare(target: str) -> None:
    """Compute the exact moments of the test functions (cached per process)."""
    for name, mu, sigma in CASES:
        _exact(target, name, mu, sigma)


def _textbook(target: str, name: str, mu: float, sigma: float, eps: np.ndarray) -> np.ndarray:
    from rtverify import estimators

    tf = test_function(name)
    fn = estimators.score_samples if target == "score-gradient" else estimators.pathwise_samples
    flat = fn(tf.f, tf.df, mu, sigma, eps.ravel())
    return flat.reshape(*eps.shape, 2)


def _args(name: str, mu: float, sigma: float, eps: np.ndarray) -> tuple:
    return (FunctionRef(name, "f"), FunctionRef(name, "df"), mu, sigma, eps)


def _problem(res: CallResult, n: int) -> str | None:
    problem = res.problem((n, 2))
    if problem != "shape":
        return problem
    shape = tuple(res.value.shape)  # type: ignore[union-attr]
    hint = ""
    if shape == (2,):
        hint = ": returns the mean over the samples, not per-sample estimates"
    elif shape == (2, n):
        hint = ": transposed"
    return f"wrong shape {shape} for n = {n} (shape ({n}, 2) is due){hint}"


def call_mean_tests(
    target: str, f: str, mu: float, s: float, eps: np.ndarray, values: np.ndarray, alpha: float
) -> tuple[list[Any], bool, np.ndarray]:
    """The two z-tests (∂/∂μ, ∂/∂σ) of E[call mean] = exact gradient for one configuration.

    ``eps`` (calls, n) and ``values`` (calls, n, 2) are IMPL's inputs and outputs. Returns the
    :class:`rtverify.stats.TestOutcome` pair, whether IMPL's output equals the textbook
    estimator's sample by sample (then the exact sd √(Var/n) is used, else the test is
    studentised with the call means and corrected for their skewness), and the call means.
    """
    from rtverify import stats

    n = eps.shape[1]
    grad, var = _exact(target, f, mu, s)
    textbook = _textbook(target, f, mu, s, eps)
    scale = np.abs(textbook) + np.abs(values) + 1e-300
    identical = bool(np.all(np.abs(values - textbook) <= IDENTICAL_RTOL * scale))
    means = values.mean(axis=1)
    outcomes = []
    for k in range(2):
        what = f"{COMPONENTS[k]} for f = {f}, μ = {mu}, σ = {s}, n = {n}"
        if identical:
            outcomes.append(
                stats.mean_test(
                    means[:, k], grad[k], sd=math.sqrt(var[k] / n), alpha=alpha, what=what
                )
            )
        else:
            outcomes.append(
                stats.skew_corrected_mean_test(means[:, k], grad[k], alpha=alpha, what=what)
            )
    return outcomes, identical, means


def run_grad(
    target: str, box: Sandbox, seed: int, report: Report, false_alarm: float = 1e-6
) -> None:
    """Judge the gradient properties of IMPL (running in ``box``); fill ``report``."""
    from rtverify import stats

    names = [
        "runs and returns an array of shape (n, 2)",
        "returns float64",
        "finite for finite inputs",
        "leaves its inputs unchanged",
        "deterministic: same eps, same output (whatever the global random state)",
        "unbiased for ∂/∂μ (mean of each call)",
        "unbiased for ∂/∂σ (mean of each call)",
    ]
    props = [PropertyResult(n, NOT_RUN) for n in names]
    report.properties = props
    configs = [(f, mu, s, n) for f, mu, s in CASES for n in SMALL_N]
    n_tests = 2 * len(configs)
    report.n_statistical_tests, report.false_alarm = n_tests, false_alarm
    alpha = false_alarm / (n_tests * TAIL_MARGIN)
    report.notes.append(
        f"each z-test at α = {alpha:.1e} = {false_alarm:g}/({n_tests} × {TAIL_MARGIN:g}): "
        f"Bonferroni, with a {TAIL_MARGIN:g}× margin for the normal approximation of the tails"
    )

    # 1. shapes (a single call first, so a hang is caught by the call timeout)
    name0, mu0, s0 = CASES[0]
    gen = stats.rng("rtverify check", target, seed, "shape")
    shape_eps = [gen.standard_normal(n) for n in SHAPE_N]
    shape_calls = [_args(name0, mu0, s0, e) for e in shape_eps]
    results = box.run(shape_calls[:1])
    if results[0].error is None:
        results += box.run(shape_calls[1:])
    for call, res in zip(shape_calls, results, strict=False):
        problem = _problem(res, call[4].size)
        if problem:
            inputs = (
                {"f": name0, "mu": mu0, "sigma": s0, "eps": call[4]}
                if call[4].size <= 10
                else {"f": name0, "mu": mu0, "sigma": s0, "eps": f"shape ({call[4].size},)"}
            )
            props[0] = PropertyResult(
                names[0], FAIL, problem, Counterexample(inputs, got=res.value)
            )
            return
    props[0] = PropertyResult(names[0], PASS)

    # the unbiasedness data: CALLS independent calls per configuration
    data = []
    for f, mu, s, n in configs:
        eps = stats.rng("rtverify check", target, seed, f, mu, s, n).standard_normal((CALLS[n], n))
        res = box.run([_args(f, mu, s, row) for row in eps])
        bad = next((r for r in res if _problem(r, n)), None)
        if bad is not None or len(res) < CALLS[n]:
            text = _problem(bad, n) if bad is not None else "stopped early"
            props[5] = PropertyResult(names[5], FAIL, f"not judged: {text} (f = {f}, n = {n})")
            return
        data.append((f, mu, s, n, eps, np.stack([r.value for r in res]), res))

    # 2. dtype, 3. finite, 4. mutation
    dtypes = sorted({str(r.value.dtype) for *_, rs in data for r in rs} - {"float64"})
    props[1] = (
        PropertyResult(names[1], PASS)
        if not dtypes
        else PropertyResult(names[1], FAIL, f"returns {', '.join(dtypes)} for float64 inputs")
    )
    nonfinite = [(f, mu, s, n, e, v) for f, mu, s, n, e, v, _ in data if not np.isfinite(v).all()]
    if nonfinite:
        f, mu, s, n, e, v = nonfinite[0]
        i = int(np.nonzero(~np.isfinite(v).reshape(len(v), -1).all(axis=1))[0][0])
        props[2] = PropertyResult(
            names[2],
            FAIL,
            "returns non-finite values for finite inputs",
            Counterexample(
                {"f": f, "mu": mu, "sigma": s, "eps": e[i]}, _textbook(target, f, mu, s, e[i]), v[i]
            ),
        )
    else:
        props[2] = PropertyResult(names[2], PASS)
    mutated = any(r.mutated for *_, rs in data for r in rs)
    props[3] = (
        PropertyResult(names[3], PASS)
        if not mutated
        else PropertyResult(names[3], FAIL, "mutated argument eps")
    )

    # 5. determinism under two global random states
    probe = _args(name0, mu0, s0, shape_eps[1])
    twice = box.run([probe, probe], seeds=list(_GLOBAL_SEEDS))
    if (
        len(twice) == 2
        and all(r.value is not None for r in twice)
        and np.array_equal(twice[0].value, twice[1].value, equal_nan=True)
    ):
        props[4] = PropertyResult(names[4], PASS)
    else:
        props[4] = PropertyResult(
            names[4],
            FAIL,
            "two identical calls give different outputs: draws its own random "
            "numbers instead of using eps",
            Counterexample(
                {"f": name0, "mu": mu0, "sigma": s0, "eps": shape_eps[1]},
                twice[0].value,
                twice[-1].value,
                "second call under another global random seed; 'expected' is the first call",
            ),
        )

    # 6-7. unbiasedness, one z-test per configuration and component
    rejected: list[list[tuple]] = [[], []]
    identical_all = True
    variance_lines = []
    for f, mu, s, n, eps, values, _ in data:
        outcomes, identical, means = call_mean_tests(target, f, mu, s, eps, values, alpha)
        identical_all &= identical
        var = _exact(target, f, mu, s)[1]
        for k, outcome in enumerate(outcomes):
            if not outcome.passed:
                rejected[k].append((f, mu, s, n, eps, values, outcome))
        if n == max(SMALL_N):
            eff = n * means.var(axis=0, ddof=1)
            variance_lines.append(
                f"variance, f = {f}, μ = {mu}, σ = {s}: n·Var(call mean) = "
                f"({eff[0]:.4g}, {eff[1]:.4g}) vs the textbook estimator's exact "
                f"({var[0]:.4g}, {var[1]:.4g}) (ratio {eff[0] / var[0]:.3g}, "
                f"{eff[1] / var[1]:.3g})"
                if min(var) > 0
                else f"variance, f = {f}, μ = {mu}, σ = {s}: n·Var(call mean) = "
                f"({eff[0]:.4g}, {eff[1]:.4g}) vs the textbook estimator's exact "
                f"({var[0]:.4g}, {var[1]:.4g})"
            )
    for k in range(2):
        props[5 + k] = (
            PropertyResult(names[5 + k], PASS)
            if not rejected[k]
            else _bias_failure(names[5 + k], target, k, rejected[k], data)
        )
    kind = "score-function" if target == "score-gradient" else "pathwise"
    report.notes.append(
        f"per-sample output identical to the textbook {kind} estimator: exact-variance z-tests"
        if identical_all
        else f"per-sample output differs from the textbook {kind} estimator (e.g. a baseline): "
        f"skew-corrected studentised tests on the call means ({CALLS[2]} calls of n = 2, "
        f"{CALLS[10]} of n = 10)"
    )
    report.notes.extend(variance_lines)


def _bias_failure(
    name: str, target: str, k: int, rejected: list[tuple], data: list[tuple]
) -> PropertyResult:
    f, mu, s, n, _eps, values, outcome = rejected[0]  # configurations are ordered simplest first
    grad = _exact(target, f, mu, s)[0]
    words = grad_mistakes.match(target, test_function, data)
    if words is None:
        ns = sorted({r[3] for r in rejected})
        est, exp = outcome.estimate, outcome.expected
        ratio = f", ratio {est / exp:.3g}" if exp != 0 else ""
        words = f"biased: mean {est:.4g} vs exact {exp:.4g}{ratio}"
        if ns == [min(SMALL_N)]:
            words += (
                f"; biased at n = {ns[0]} but not at n = {max(SMALL_N)}: the samples of "
                "one call are coupled (a baseline computed from the same samples?)"
            )
    cx = Counterexample(
        {"f": f, "mu": mu, "sigma": s, "n": n, "calls": CALLS[n], "component": COMPONENTS[k]},
        expected=[float(f"{g:.6g}") for g in grad],
        got=[float(f"{v:.6g}") for v in values.mean(axis=(0, 1))],
        note=f"mean over {CALLS[n]} calls of {COMPONENTS[k]}: z = {outcome.statistic:.1f}, "
        f"critical {outcome.critical:.2f} at α = {outcome.alpha:.1e}",
    )
    return PropertyResult(name, FAIL, words, cx)
