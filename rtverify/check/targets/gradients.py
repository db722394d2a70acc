"""Per-sample gradient estimators on rtverify's noise: ``score-gradient``, ``pathwise-gradient``.

IMPL(f, df, mu, sigma, eps) → (n, 2): per-sample estimates of (∂/∂μ, ∂/∂σ) E_{z∼N(μ,σ²)} f(z)
(notes eq. (14)–(16) for the score function, (42)–(43) for the pathwise estimator), for f given
in IMPL's framework with its derivative ``df``.

Because IMPL gets rtverify's ε, its output is compared with the textbook estimator on the *same*
ε (:mod:`rtverify.estimators`) — a paired design:

- per-sample identical to the textbook estimator within the dtype's rounding: unbiased, with
  certainty (the textbook estimators' unbiasedness is proved in docs/derivations); no
  statistical test is needed, and any relative bias, however small, shows as a difference;
- otherwise (a baseline, a control variate, antithetic pairs…) the difference D = IMPL − textbook
  has mean 0 exactly when IMPL is unbiased: each (f, μ, σ, n, component) is a skew-corrected
  studentised test of E[call mean of D] = 0 over independent calls, at α = false_alarm / (number
  of tests) — declining ("not judged") when D's tails are too heavy to hold α — and each states
  the smallest bias it detects. A D that is constant and non-zero is a bias, with certainty.

(f, μ, σ): five fixed configurations (σ from 0.25 to 3) and two drawn from the seed (μ ∈ [−2, 2],
σ log-uniform in [0.2, 5]); 200 calls of n = 100 samples each, and for the first three also 1000
calls of n = 2 and 300 of n = 10 (where a baseline computed from the same samples shows its
1 − 1/n bias). A component equal to the textbook estimator within rounding on every sample is
unbiased with certainty and is not tested. Every call is judged for shape, precision, finiteness
and mutation.
"""

from __future__ import annotations

import numpy as np

from rtverify.check import grad_mistakes, statistics
from rtverify.check.calls import Call, Fn
from rtverify.check.report import FAIL, NOT_JUDGED, NOT_RUN, PASS, Counterexample, PropertyResult
from rtverify.check.target import Context, Target, reference_cache

__all__ = ["CALLS", "FIXED_CASES", "TARGETS", "pathwise", "score"]

#: (f, μ, σ): smooth bounded f, several μ, σ ≠ 1 on both sides, from 0.25 to 3.5 (an IMPL
#: that clamps σ to a "reasonable" range is caught).
FIXED_CASES = (
    ("exp(-z^2/2)", 1.2, 2.0),
    ("sin(z)", 0.8, 1.5),
    ("cos(z)", -0.5, 0.6),
    ("exp(-z^2/2)", -0.7, 3.0),
    ("cos(z)", 0.4, 0.25),
)
#: Two more (f, μ, σ) drawn from the seed: μ uniform, σ log-uniform in these ranges.
RANDOM_RANGE = {"mu": (-2.0, 2.0), "sigma": (0.2, 5.0)}
#: Independent calls at each n (samples per call): the small n (where a baseline computed from
#: the same samples shows its 1 − 1/n bias) for the first ``COUPLING_CONFIGS`` configurations,
#: the large n for all.
CALLS = {2: 1000, 10: 300, 100: 200}
LARGE_N = 100
COUPLING_CONFIGS = 3
COMPONENTS = ("∂/∂μ", "∂/∂σ")
_GLOBAL_SEEDS = (12345, 54321)
_IDENTITY_SLACK = 1e3  # rounding units allowed per sample for "identical to the textbook"


def _tf(name: str):
    from rtverify import testfunctions

    return testfunctions.get(name)


@reference_cache
def _exact_grad(name: str, mu: float, sigma: float) -> tuple[float, float]:
    return _tf(name).grad(mu, sigma)


def _textbook(target: str, name: str, mu: float, sigma: float, eps: np.ndarray) -> np.ndarray:
    from rtverify import estimators

    tf = _tf(name)
    fn = estimators.score_samples if target == "score-gradient" else estimators.pathwise_samples
    return fn(tf.f, tf.df, mu, sigma, eps.ravel()).reshape(*eps.shape, 2)


def _rounding_scale(name: str, mu: float, sigma: float, eps: np.ndarray) -> np.ndarray:
    """A per-sample magnitude of the terms of either estimator (for the identity tolerance)."""
    tf = _tf(name)
    z = mu + sigma * eps
    size = np.abs(tf.f(z)) + np.abs(tf.df(z)) * (abs(mu) + np.abs(sigma * eps) + 1.0)
    return (size * (1.0 + np.abs(eps) + eps * eps) * (1.0 + 1.0 / sigma))[..., None]


def _configs(ctx: Context) -> list[tuple[str, float, float]]:
    gen = ctx.rng("configurations")
    names = [name for name, _, _ in FIXED_CASES]
    drawn = [
        (
            names[int(gen.integers(len(names)))],
            round(float(gen.uniform(*RANDOM_RANGE["mu"])), 3),
            round(float(np.exp(gen.uniform(*np.log(RANDOM_RANGE["sigma"])))), 3),
        )
        for _ in range(2)
    ]
    return [*FIXED_CASES, *drawn]


def _call(name: str, mu: float, sigma: float, eps: np.ndarray, ctx: Context) -> Call:
    tf = _tf(name)
    m, s = ctx.round(mu), ctx.round(sigma)
    # one of many calls of one layout: JAX runs IMPL compiled (jax.jit, traced once per
    # layout), an IMPL that cannot be traced eagerly; numpy and torch run every call as written
    return Call((Fn(str(tf.expr)), Fn(str(tf.dexpr)), m, s, ctx.cast(eps)[0]), many=True)


def _judge(target: str, ctx: Context) -> list[PropertyResult]:
    names = list(score.properties)
    out = {n: PropertyResult(n, NOT_RUN) for n in names}
    configs = _configs(ctx)
    blocks = []  # (f, μ, σ, n, ε (calls, n), results)
    for i, (f, mu, s) in enumerate(configs):
        for n, calls in CALLS.items():
            if n < LARGE_N and i >= COUPLING_CONFIGS:
                continue
            eps = ctx.cast(ctx.rng(f, mu, s, n).standard_normal((calls, n)))[0]
            mu_c, s_c = ctx.round(mu), ctx.round(s)
            blocks.append((f, mu_c, s_c, n, eps, [_call(f, mu_c, s_c, row, ctx) for row in eps]))
    first = ctx.box.run(blocks[0][5][:1])
    results_by_block = []
    for i, (*_, calls) in enumerate(blocks):
        got = (
            first + ctx.box.run(calls[1:])
            if i == 0 and not first[0].error
            else (first if i == 0 else ctx.box.run(calls))
        )
        results_by_block.append(got)
        if len(got) < len(calls):
            break

    # 1. shape, on every call
    for (f, mu, s, n, eps, _), results in zip(blocks, results_by_block, strict=False):
        for row, res in zip(eps, results, strict=False):
            problem = res.problem((n, 2))
            if problem == "shape":
                shape = tuple(res.value.shape)
                hint = {
                    (2,): ": returns the mean over the samples, not per-sample estimates",
                    (2, n): ": transposed",
                }.get(shape, "")
                problem = f"wrong shape {shape} for n = {n} (shape ({n}, 2) is due){hint}"
            if problem:
                inputs = {"f": f, "mu": mu, "sigma": s, "eps": row if n <= 10 else f"shape ({n},)"}
                out[names[0]] = PropertyResult(
                    names[0],
                    FAIL,
                    problem,
                    Counterexample(
                        inputs,
                        got=res.value if res.value is not None and res.value.size <= 20 else None,
                    ),
                )
                return list(out.values())
    out[names[0]] = PropertyResult(names[0], PASS)
    data = [
        (f, mu, s, n, eps, np.stack([r.value.astype(np.float64) for r in results]), results)
        for (f, mu, s, n, eps, _), results in zip(blocks, results_by_block, strict=True)
    ]

    # 2. precision, 3. finite, 4. mutation
    all_results = [r for *_, rs in data for r in rs]
    out[names[1]] = ctx.precision(names[1], all_results)
    bad = next(
        ((f, mu, s, e, v) for f, mu, s, _, e, v, _ in data if not np.isfinite(v).all()), None
    )
    if bad is None:
        out[names[2]] = PropertyResult(names[2], PASS)
    else:
        f, mu, s, e, v = bad
        i = int(np.nonzero(~np.isfinite(v).reshape(len(v), -1).all(axis=1))[0][0])
        cx = Counterexample(
            {
                "f": f,
                "mu": mu,
                "sigma": s,
                "eps": e[i] if e.shape[1] <= 10 else f"shape {e[i].shape}",
            },
            None,
            None,
        )
        out[names[2]] = PropertyResult(
            names[2], FAIL, "returns non-finite values for finite inputs", cx
        )
    mutated = any(r.mutated for r in all_results)
    out[names[3]] = (
        PropertyResult(names[3], PASS)
        if not mutated
        else PropertyResult(names[3], FAIL, "mutated argument eps")
    )

    # 5. determinism
    probe = blocks[0][5][0]
    twice = ctx.box.run([Call(probe.args, global_seed=g) for g in _GLOBAL_SEEDS])
    same = (
        len(twice) == 2
        and all(r.value is not None for r in twice)
        and np.array_equal(twice[0].value, twice[1].value, equal_nan=True)
    )
    out[names[4]] = (
        PropertyResult(names[4], PASS)
        if same
        else PropertyResult(
            names[4],
            FAIL,
            "two identical calls give different outputs: draws its own random numbers instead "
            "of using eps",
        )
    )
    if bad is not None:
        return list(out.values())

    # 6-7. unbiasedness, paired with the textbook estimator on the same ε: a component equal to
    # the textbook one within rounding on every sample is unbiased with certainty; only the
    # others are tested
    identical = [True, True]
    for f, mu, s, _n, eps, values, _ in data:
        ref = _textbook(target, f, mu, s, eps)
        tol = _IDENTITY_SLACK * ctx.unit_roundoff * _rounding_scale(f, mu, s, eps)
        within = np.abs(values - ref) <= tol
        for k in range(2):
            identical[k] &= bool(np.all(within[..., k]))
    kind = "score-function" if target == "score-gradient" else "pathwise"
    tests = [(blk, k) for blk in data for k in range(2) if not identical[k]]
    alpha = ctx.false_alarm / max(len(tests), 1)
    if tests:
        ctx.report.n_statistical_tests += len(tests)
        ctx.report.false_alarm += ctx.false_alarm
    verdicts: list[list] = [[], []]
    for (f, mu, s, n, eps, values, _), k in tests:
        d = (values - _textbook(target, f, mu, s, eps))[..., k].mean(axis=1)
        verdicts[k].append(((f, mu, s, n, eps, values), statistics.mean_test(d, 0.0, alpha)))
    for k in range(2):
        if identical[k]:
            out[names[5 + k]] = PropertyResult(names[5 + k], PASS)
            ctx.note(
                f"{COMPONENTS[k]}: every sample equals the textbook {kind} estimator on the same ε "
                f"within {ctx.dtype} rounding: unbiased with certainty (no statistical test made)"
            )
        else:
            out[names[5 + k]] = _bias_property(names[5 + k], target, k, verdicts[k], data, ctx)
    if tests:
        ctx.note(
            f"per-sample output differs from the textbook {kind} estimator on the same ε (a "
            f"baseline or control variate?): paired tests of E[IMPL − textbook] = 0, "
            f"{len(tests)} tests at α = {alpha:.1e} each"
        )
    return list(out.values())
    tests = [(blk, k) for blk in data for k in range(2)]
    alpha = ctx.false_alarm / len(tests)
    ctx.report.n_statistical_tests += len(tests)
    ctx.report.false_alarm += ctx.false_alarm
    verdicts: list[list] = [[], []]
    for (f, mu, s, n, eps, values, _), k in tests:
        d = (values - _textbook(target, f, mu, s, eps))[..., k].mean(axis=1)
        verdicts[k].append(((f, mu, s, n, eps, values), statistics.mean_test(d, 0.0, alpha)))
    for k in range(2):
        out[names[5 + k]] = _bias_property(names[5 + k], target, k, verdicts[k], data, ctx)
    ctx.note(
        f"per-sample output differs from the textbook {kind} estimator on the same ε (a "
        f"baseline or control variate?): paired tests of E[IMPL − textbook] = 0, "
        f"{len(tests)} tests at α = {alpha:.1e} each"
    )
    return list(out.values())


def _bias_property(name, target, k, verdicts, data, ctx) -> PropertyResult:
    rejected = [(blk, v) for blk, v in verdicts if v.judged and not v.passed]
    declined = [(blk, v) for blk, v in verdicts if not v.judged]
    relative = [
        v.min_bias / abs(g)
        for b, v in verdicts
        if v.judged and abs(g := _exact_grad(b[0], b[1], b[2])[k]) > 1e-3
    ]
    if not rejected:
        if declined:
            (f, mu, s, n, *_), v = declined[0]
            return PropertyResult(
                name, NOT_JUDGED, f"not judged at f = {f}, μ = {mu}, σ = {s}, n = {n}: {v.reason}"
            )
        if relative:
            ctx.note(
                f"{COMPONENTS[k]}: power — a relative bias ≥ {100 * min(relative):.2g} % of the "
                f"gradient is detected by the most sensitive paired test, ≥ "
                f"{100 * float(np.median(relative)):.2g} % by the median one, with probability "
                "≥ 0.999 (a bias proportional to the estimator itself shows in the per-sample "
                "difference however small)"
            )
        return PropertyResult(name, PASS)
    (f, mu, s, n, _eps, values), v = rejected[0]
    words = grad_mistakes.match(
        target, _tf, [(f2, m2, s2, n2, e2, v2) for f2, m2, s2, n2, e2, v2, _ in data]
    )
    grad = _exact_grad(f, mu, s)
    if words is None:
        mean = float(values[..., k].mean())
        words = f"biased: mean {mean:.4g} vs exact {grad[k]:.4g}"
        ns = sorted({b[3] for b, _ in rejected})
        if ns == [min(CALLS)]:
            words += (
                f"; biased at n = {ns[0]} but not at larger n: the samples of one call are "
                "coupled (a baseline computed from the same samples?)"
            )
    cx = Counterexample(
        {"f": f, "mu": mu, "sigma": s, "n": n, "calls": CALLS[n], "component": COMPONENTS[k]},
        expected=[float(f"{g:.6g}") for g in grad],
        got=[float(f"{x:.6g}") for x in values.mean(axis=(0, 1))],
        note=f"mean of IMPL − textbook on the same ε: {v.estimate:.3g}, z = {v.statistic:.1f}, "
        f"critical {v.critical:.2f} at α = {v.alpha:.1e}",
    )
    return PropertyResult(name, FAIL, words, cx)


_PROPERTIES = (
    "runs and returns an array of shape (n, 2)",
    "returns the precision it was given or wider",
    "finite for finite inputs",
    "leaves its inputs unchanged",
    "deterministic: same eps, same output (whatever the global random state)",
    "unbiased for ∂/∂μ (paired with the textbook estimator)",
    "unbiased for ∂/∂σ (paired with the textbook estimator)",
)
_SIGNATURE = "IMPL(f, df, mu, sigma, eps)"
_ALL = {"numpy": _SIGNATURE, "torch": _SIGNATURE, "jax": _SIGNATURE}


def _prepare() -> None:
    for f, mu, s in FIXED_CASES:
        _exact_grad(f, mu, s)


score = Target(
    statistical=True,
    name="score-gradient",
    summary="per-sample score-function (REINFORCE) estimates of ∇_(μ,σ) E f(z) on the given ε",
    signatures=_ALL,
    returns="(n, 2): (∂/∂μ, ∂/∂σ) per sample",
    reference="rtverify.estimators.score_samples",
    run=lambda ctx: _judge("score-gradient", ctx),
    properties=_PROPERTIES,
    prepare=_prepare,
)
pathwise = Target(
    statistical=True,
    name="pathwise-gradient",
    summary="per-sample pathwise (reparameterization) estimates of ∇_(μ,σ) E f(z) on the given ε",
    signatures=_ALL,
    returns="(n, 2): (∂/∂μ, ∂/∂σ) per sample",
    reference="rtverify.estimators.pathwise_samples",
    run=lambda ctx: _judge("pathwise-gradient", ctx),
    properties=_PROPERTIES,
    prepare=_prepare,
)

TARGETS = (score, pathwise)
