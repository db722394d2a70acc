"""Gradient estimators as written with autograd: ``gradient-estimator``.

IMPL(f, mu, p) (torch; jax: IMPL(key, f, mu, p)) draws its own noise and returns a scalar
*surrogate* — ``(f(z) * log_prob(z).detach()…)``, ``f(rsample()).sum()``, with baselines or
control variates — whose gradient with respect to (mu, p), taken by rtverify with the
framework's autograd, estimates ∇ Σ_{b,d} E_{z∼N(μ_bd, σ_bd²)} f(z_bd). ``f`` is a
differentiable elementwise function given in the framework; mu and p have shape (batch, D).

Judged over ``CALLS`` calls with distinct noise seeds (from the check's seed) for each f in
``FUNCTIONS``: every batch row is a configuration (μ, σ) — three fixed, three drawn from the seed
with μ ∈ [−2, 2], σ ∈ [0.3, 3] — repeated over D = ``DIM`` latent positions. Each call's mean over a
row is one observation of the row's gradient; each (f, row, component) is a skew-corrected
studentised test of its mean against the exact gradient (:mod:`rtverify.testfunctions`, derived
symbolically, chained to the parameterization p), at α = false_alarm / (number of tests). A test
declines ("not judged") when the observations' tails are too heavy to hold α. Because IMPL draws its
own noise, no pairing with a reference is possible: every verdict states the smallest bias it could
detect, and the report gives IMPL's per-sample variance beside the textbook estimators' exact
variances.
"""

from __future__ import annotations

import math

import numpy as np

from rtverify import gaussian
from rtverify.check import statistics
from rtverify.check.calls import Call, CallResult, Fn, Noise
from rtverify.check.report import FAIL, NOT_JUDGED, NOT_RUN, PASS, Counterexample, PropertyResult
from rtverify.check.target import Context, Target, reference_cache

__all__ = ["CALLS", "DIM", "FUNCTIONS", "TARGETS", "estimator", "surrogate_problem"]

FUNCTIONS = ("sin(z)", "exp(-z^2/2)")
FIXED = ((0.8, 1.5), (-0.5, 0.6), (1.2, 2.0))
RANDOM_RANGE = {"mu": (-2.0, 2.0), "sigma": (0.3, 3.0)}
CALLS = 250
DIM = 256
#: dσ/dp for each parameterization p of the variance
_DSIGMA_DP = {
    "logvar": lambda s: s / 2,
    "log_std": lambda s: s,
    "std": lambda s: 1.0,
    "var": lambda s: 1.0 / (2 * s),
}


def _tf(name: str):
    from rtverify import testfunctions

    return testfunctions.get(name)


@reference_cache
def _exact(name: str, mu: float, sigma: float) -> tuple[tuple, tuple, tuple]:
    tf = _tf(name)
    return tf.grad(mu, sigma), tf.score_variance(mu, sigma), tf.pathwise_variance(mu, sigma)


def _configs(ctx: Context) -> list[tuple[float, float]]:
    gen = ctx.rng("configurations")
    drawn = [
        (
            round(float(gen.uniform(*RANDOM_RANGE["mu"])), 3),
            round(float(gen.uniform(*RANDOM_RANGE["sigma"])), 3),
        )
        for _ in range(3)
    ]
    return [*FIXED, *drawn]


def _judge(ctx: Context) -> list[PropertyResult]:
    arg = ctx.param
    names = [
        "runs and returns a scalar surrogate",
        f"gradients flow to mu and {arg}",
        "finite gradients",
        "unbiased for ∂/∂mu",
        f"unbiased for ∂/∂{arg}",
        "leaves its inputs unchanged",
    ]
    out = {n: PropertyResult(n, NOT_RUN) for n in names}
    configs = _configs(ctx)
    mu_rows = np.array([m for m, _ in configs])
    s_rows = np.array([s for _, s in configs])
    mu, p = ctx.cast(
        np.repeat(mu_rows[:, None], DIM, axis=1),
        np.repeat(gaussian.param_from_logvar(2 * np.log(s_rows), arg)[:, None], DIM, axis=1),
    )
    sigma = gaussian.std_from(p[:, 0].astype(np.float64), arg)  # as IMPL sees it
    mu_used = mu[:, 0].astype(np.float64)
    data = {}
    for f in FUNCTIONS:
        code = str(_tf(f).expr)
        seeds = ctx.noise_seeds(CALLS)
        calls = [Call((Fn(code), mu, p, Noise(seed)), grad=(1, 2)) for seed in seeds]
        results = ctx.box.run(calls)  # every call held to the timeout
        for res in results:
            failure = surrogate_problem(res, arg)
            if failure is not None:
                k, detail = failure
                if k == 1:
                    out[names[0]] = PropertyResult(names[0], PASS)
                out[names[k]] = PropertyResult(names[k], FAIL, f"{detail} (f = {f})")
                return list(out.values())
        data[f] = results
    out[names[0]] = PropertyResult(names[0], PASS)
    gm = {f: np.stack([r.grads[0].astype(np.float64) for r in rs]) for f, rs in data.items()}
    gp = {f: np.stack([r.grads[1].astype(np.float64) for r in rs]) for f, rs in data.items()}
    frozen = [f for f in FUNCTIONS if np.array_equal(gm[f][0], gm[f][1]) and np.any(gm[f])]
    if frozen:
        out[names[1]] = PropertyResult(names[1], PASS)
        out[names[3]] = PropertyResult(
            names[3],
            FAIL,
            f"every call returns the same gradient (f = {frozen[0]}): IMPL ignores the noise "
            "rtverify seeds (torch: the global generator; jax: the key) — a fixed seed inside?",
        )
        return list(out.values())
    zero = [f for f in FUNCTIONS if not np.any(gm[f]) and not np.any(gp[f])]
    out[names[1]] = (
        PropertyResult(
            names[1],
            FAIL,
            f"the gradient is 0 for f = {zero[0]}: stop_gradient, or a detached sample?",
        )
        if zero
        else PropertyResult(names[1], PASS)
    )
    finite = all(np.isfinite(gm[f]).all() and np.isfinite(gp[f]).all() for f in FUNCTIONS)
    out[names[2]] = (
        PropertyResult(names[2], PASS)
        if finite
        else PropertyResult(names[2], FAIL, "returns non-finite gradients for finite inputs")
    )
    mutated = any(r.mutated for rs in data.values() for r in rs)
    out[names[5]] = (
        PropertyResult(names[5], PASS)
        if not mutated
        else PropertyResult(names[5], FAIL, "mutated its inputs")
    )
    if not finite or zero:
        return list(out.values())

    n_tests = 2 * len(FUNCTIONS) * len(configs)
    alpha = ctx.false_alarm / n_tests
    ctx.report.n_statistical_tests += n_tests
    ctx.report.false_alarm += ctx.false_alarm
    for k, (grads, name) in enumerate(((gm, names[3]), (gp, names[4]))):
        out[name] = _unbiased(name, k, grads, configs, sigma, mu_used, alpha, ctx)
    _variance_note(gm, gp, configs, sigma, mu_used, ctx)
    return list(out.values())


def surrogate_problem(res: CallResult, arg: str) -> tuple[int, str] | None:
    """What is wrong with one call of a surrogate-returning IMPL: (0, why) when it is not a
    scalar surrogate, (1, why) when no gradient flows to mu or the variance parameter."""
    problem = res.problem((), allow_unit=True)
    if problem == "shape":
        problem = f"returns shape {tuple(res.value.shape)}, not a scalar surrogate (sum it?)"
    if problem is not None:
        return 0, problem
    grads = res.grads or (None, None)
    missing = [name for name, g in zip(("mu", arg), grads, strict=False) if g is None]
    if missing:
        why = f" ({res.grad_note})" if res.grad_note else ""
        return 1, f"no gradient flows from the surrogate to {' and '.join(missing)}{why}"
    return None


def _expected(f: str, mu: float, sigma: float, k: int, param: str) -> float:
    g = _exact(f, mu, sigma)[0]
    return g[0] if k == 0 else g[1] * _DSIGMA_DP[param](sigma)


def _unbiased(name, k, grads, configs, sigma, mu_used, alpha, ctx) -> PropertyResult:
    relative, first_bad, declined = [], None, None
    for f in FUNCTIONS:
        means = grads[f].mean(axis=2)  # (calls, rows): one observation per call and row
        for b in range(len(configs)):
            want = _expected(f, float(mu_used[b]), float(sigma[b]), k, ctx.param)
            v = statistics.mean_test(means[:, b], want, alpha)
            if not v.judged:
                declined = declined or (f, b, v)
                continue
            if abs(want) > 1e-3:
                relative.append(v.min_bias / abs(want))
            if not v.passed and first_bad is None:
                first_bad = (f, b, v)
    if first_bad is not None:
        f, b, v = first_bad
        ratio = v.estimate / v.expected if v.expected else math.nan
        detail = (
            f"biased: mean {v.estimate:.4g} vs exact {v.expected:.4g} (ratio {ratio:.3g}) at "
            f"f = {f}, μ = {mu_used[b]:.4g}, σ = {sigma[b]:.4g}"
        )
        cx = Counterexample(
            {"f": f, "mu": float(mu_used[b]), "sigma": float(sigma[b]), "calls": CALLS, "D": DIM},
            v.expected,
            v.estimate,
            f"z = {v.statistic:.1f}, critical {v.critical:.2f} at α = {v.alpha:.1e}",
        )
        return PropertyResult(name, FAIL, detail, cx)
    if declined is not None:
        f, b, v = declined
        return PropertyResult(
            name,
            NOT_JUDGED,
            f"not judged at f = {f}, μ = {mu_used[b]:.4g}, σ = {sigma[b]:.4g}: {v.reason}",
        )
    ctx.note(
        f"{name}: power — a relative bias ≥ {100 * float(np.median(relative)):.2g} % of the "
        f"gradient (median over the tests; best {100 * min(relative):.2g} %) is detected with "
        f"probability ≥ 0.999 ({CALLS} calls × {DIM} positions, α = {alpha:.1e} each); IMPL "
        "draws its own noise, so no pairing with the reference is possible"
    )
    return PropertyResult(name, PASS)


def _variance_note(gm, gp, configs, sigma, mu_used, ctx) -> None:
    f = FUNCTIONS[0]
    b = 0
    dsp = _DSIGMA_DP[ctx.param](float(sigma[b]))
    _, score_var, path_var = _exact(f, float(mu_used[b]), float(sigma[b]))
    per_sample = [DIM * grads[f].mean(axis=2)[:, b].var(ddof=1) for grads in (gm, gp)]
    ctx.note(
        f"variance per sample at f = {f}, μ = {mu_used[b]:.4g}, σ = {sigma[b]:.4g}: IMPL "
        f"({per_sample[0]:.4g}, {per_sample[1]:.4g}); textbook score-function "
        f"({score_var[0]:.4g}, {score_var[1] * dsp**2:.4g}); pathwise "
        f"({path_var[0]:.4g}, {path_var[1] * dsp**2:.4g}) — (∂/∂mu, ∂/∂{ctx.param})"
    )


def _prepare() -> None:
    for f in FUNCTIONS:
        for mu, s in FIXED:
            _exact(f, mu, s)


estimator = Target(
    statistical=True,
    name="gradient-estimator",
    summary="an autograd surrogate whose gradient estimates ∇_(μ,p) Σ E f(z) (REINFORCE, "
    "pathwise, baselines, control variates)",
    signatures={"torch": "IMPL(f, mu, p)", "jax": "IMPL(key, f, mu, p)"},
    returns="a scalar surrogate; rtverify takes its gradient in (mu, p) by autograd",
    reference="exact ∇ E f(z) (rtverify.testfunctions)",
    run=_judge,
    properties=(
        "runs and returns a scalar surrogate",
        "gradients flow to mu and p",
        "finite gradients",
        "unbiased for ∂/∂mu",
        "unbiased for ∂/∂p",
        "leaves its inputs unchanged",
    ),
    options=("param",),
    prepare=_prepare,
)

TARGETS = (estimator,)
