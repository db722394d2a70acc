"""Judging a sampler of a law without a location-scale form (Gamma, Beta, Dirichlet) that draws
its own noise and is differentiated by implicit reparameterization.

IMPL(θ…) → z, called ``CALLS`` times with distinct noise seeds drawn from the check's seed, on
a batch of parameters spanning 1e-3 … 1e5 (log-uniform, drawn from the check's seed; every
batch row has its own parameters). Judged, in float64 on the returned values:

- shape, precision, finiteness (the count of non-finite values; with none, the rate is below
  3/n at 95 %, rule of three), same seed same z and another seed another z;
- the law: the probability integral transforms u = F(z; θ) of all samples, each widened to the
  rounding interval of z (flushing to zero and clamping at the ends count as rounding), pooled
  and compared with U(0, 1) by the DKWM bound: a correct sampler fails with probability ≤ α, a
  CDF off by ≥ 2ε somewhere passes with probability ≤ α (ε = √(log(2/α)/(2n)));
- (torch, jax) the gradient by autograd of Σ w·z (random cotangent w > 0): per sample equal to
  the implicit gradient −∂_θF/p at the returned z (``rtverify.audit.judge_gradients``: tolerance
  256·u·(1 + κ)); where it is not, it may still be another valid reparameterization (normalised
  Gammas: JAX's Beta) -- then it must be unbiased: the mean of the per-sample gradients equals
  ∂E[z]/∂θ. With a reference field v (Beta), paired: a law on the line has one velocity field,
  so every valid reparameterization has E[∂z/∂θ | z] = v(z) = −∂_θF/p, and
  y = h(z)·(g/w − v(z))/|v(z)| (h(z) = min(z, 1 − z) on [0, 1]; any function of z keeps the
  mean 0) has mean 0. Only rows whose parameters are all ≥ :data:`PAIRED_MIN` take part (a
  choice by the parameters alone; below, a valid gradient's tails are too heavy for 24 calls:
  at a = 1e-3 it is ~1/a with probability ~a). Two tests of mean 0 at α/2 each: the pooled
  y, and the second half of the calls divided by the root mean square of their row's first
  half (independent of them: the mean stays 0, the rows come to one scale); either failing
  fails. Without a field (Dirichlet): the relative deviation from ∂E[z]/∂θ (skew-corrected
  studentised test at α). Where every test declines (tails too heavy to judge), the property
  is NOT JUDGED, never passed: a gradient neither implicit nor shown unbiased is not shown
  right;
- leaves its inputs unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rtverify import audit
from rtverify.check import statistics
from rtverify.check.calls import Call, Noise
from rtverify.check.report import (
    FAIL,
    NOT_JUDGED,
    NOT_RUN,
    PASS,
    Counterexample,
    PropertyResult,
)
from rtverify.check.target import Context, Target

__all__ = [
    "CALLS",
    "PROPERTIES",
    "Family",
    "as_float64",
    "implicit_target",
    "judge_implicit",
    "log_uniform",
]

CALLS = 24
BATCH = 64


@dataclass(frozen=True)
class Family:
    """What the judge needs of a family.

    ``inputs(ctx)`` gives the parameter arrays (batch,) or (batch, K); ``pit(low, high,
    params)`` the probability integral transforms (u at the low and at the high end of each
    sample's rounding interval; independent U(0, 1) under the law); ``implicit(z, params)``
    {name: (dz/dθ, κ)} per argument or None (the gradient is not a function of z);
    ``mean_gradient(params, w)`` {name: (E[∂(Σ w·z)/∂θ], a scale for it)} per argument.
    """

    arg_names: tuple[str, ...]
    inputs: Callable[[Context], tuple[np.ndarray, ...]]
    pit: Callable[[np.ndarray, np.ndarray, tuple], tuple[np.ndarray, np.ndarray]]
    implicit: Callable[[np.ndarray, tuple], dict] | None
    mean_gradient: Callable[[tuple, np.ndarray], dict]
    bounded: bool  # support [0, 1] (else [0, ∞))
    #: whether another reparameterization's (unbiased) gradient is accepted where the per-sample
    #: gradient is not the implicit one (Beta: normalised Gammas); the Gamma's is not
    unbiased_fallback: bool = True


def log_uniform(ctx: Context, label: str, shape, lo: float = 1e-3, hi: float = 1e5):
    """Parameters log-uniform on [lo, hi], drawn from the check's seed."""
    gen = ctx.rng(label)
    return np.exp(gen.uniform(math.log(lo), math.log(hi), shape))


def _pit_interval(z: np.ndarray, params: tuple, family: Family, dtype: str):
    """(low, high) of u = F(z) over z's rounding interval (flush/clamp at the ends included)."""
    half = np.spacing(np.abs(z).astype(dtype)).astype(np.float64) / 2
    low, high = np.maximum(z - half, 0.0), z + half
    tiny = np.finfo(dtype).tiny
    low, high = np.where(z <= tiny, 0.0, low), np.where(z <= tiny, np.maximum(high, tiny), high)
    if family.bounded:
        high = np.where(z >= np.nextafter(np.ones(1, dtype), 0)[0], 1.0, np.minimum(high, 1.0))
    return family.pit(low, high, params)


def _law(name: str, z: np.ndarray, params: tuple, family: Family, ctx, alpha) -> PropertyResult:
    lows, highs = [], []
    for zi in z:
        lo, hi = _pit_interval(zi, params, family, ctx.dtype)
        lows.append(lo.ravel())
        highs.append(hi.ravel())
    lo, hi = np.sort(np.concatenate(lows)), np.sort(np.concatenate(highs))
    n = lo.size
    i = np.arange(1, n + 1)
    d = float(max(np.max(i / n - hi), np.max(lo - (i - 1) / n), 0.0))  # a lower bound on D_n
    eps = math.sqrt(math.log(2 / alpha) / (2 * n))
    ctx.note(
        f"Kolmogorov distance of F(z) to U(0, 1) (DKWM, rounding-aware): {d:.4g} vs {eps:.4g} "
        f"(n = {n}, α = {alpha:.1e}); detects a CDF off by ≥ {2 * eps:.3g} with probability "
        f"≥ 1 − α"
    )
    if d <= eps:
        return PropertyResult(name, PASS)
    return PropertyResult(
        name, FAIL, f"the samples do not follow the law: Kolmogorov distance {d:.3g} > {eps:.3g}"
    )


def _gradients(name, results, params, w, family, ctx, alpha) -> PropertyResult:
    for res in results:
        if not res.grads or any(g is None for g in res.grads):
            why = f" ({res.grad_note})" if res.grad_note else ""
            return PropertyResult(
                name,
                FAIL,
                f"no gradient flows from z to the parameters{why}: .sample() instead of "
                ".rsample(), a .detach(), torch.no_grad() or a NumPy round trip?",
            )
    grads = [np.stack([r.grads[k].astype(np.float64) for r in results]) for k in range(len(params))]
    if not all(np.isfinite(g).all() for g in grads):
        k = next(k for k, g in enumerate(grads) if not np.isfinite(g).all())
        c, *i = np.unravel_index(int(np.argmax(~np.isfinite(grads[k]))), grads[k].shape)
        z = results[c].value
        inputs = {n: p[tuple(i)[: p.ndim]] for n, p in zip(family.arg_names, params, strict=True)}
        count = int(sum((~np.isfinite(g)).sum() for g in grads))
        cx = Counterexample({**inputs, "z": z[tuple(i)[: z.ndim]]}, None, grads[k][c][tuple(i)])
        return PropertyResult(name, FAIL, f"{count} non-finite gradients", cx)
    if not any(np.any(g) for g in grads):
        return PropertyResult(name, FAIL, "the gradient is 0 everywhere: detached noise?")
    wf = w.astype(np.float64)
    if family.implicit is not None:
        ok, top = True, (0.0, 0.0, "")
        for res, *gs in zip(results, *grads, strict=True):
            z = res.value.astype(np.float64)
            ref = family.implicit(z, params)
            edge = audit.boundary(z, ctx.dtype, family.bounded)
            for arg, got in zip(family.arg_names, gs, strict=True):
                want, kappa = ref[arg]
                rel, excess = audit.judge_gradients(got / wf, want, kappa, ctx.dtype, edge)
                ok = ok and bool(np.all(excess <= 1))
                i = int(np.argmax(excess))
                if excess[i] > top[0]:
                    top = (float(excess[i]), float(rel[i]), arg)
        worst = (
            f"the per-sample gradient in {top[2]} is not the implicit −∂_θF/p at z: relative "
            f"error up to {top[1]:.3g}, {top[0]:.3g} × the tolerance 256·u·(1 + κ)"
        )
        if ok:
            return PropertyResult(name, PASS)
        if not family.unbiased_fallback:
            return PropertyResult(name, FAIL, worst)
        ctx.note(f"{worst}: tested for unbiasedness instead (another reparameterization?)")
    if family.implicit is not None:
        tests, what = _paired_with_field(results, grads, params, wf, family, ctx), (
            f"the implicit field v(z) (paired, rows with every parameter ≥ {PAIRED_MIN:g})"
        )
    else:
        expected = family.mean_gradient(params, wf)
        tests, what = {}, "w·∂E[z]/∂θ (relative)"
        for arg, g in zip(family.arg_names, grads, strict=True):
            want, scale = expected[arg]
            tests[arg] = [((g - want) / np.maximum(scale, ctx.tiny)).ravel()]
    declined = None
    for arg in family.arg_names:
        verdicts = [statistics.mean_test(x, 0.0, alpha / len(tests[arg])) for x in tests[arg]]
        for v in verdicts:
            if v.judged and not v.passed:
                return PropertyResult(
                    name,
                    FAIL,
                    f"biased gradient in {arg}: the mean deviation of the per-sample gradient "
                    f"from {what} is {v.estimate:.3g}, not 0 (n = {v.n}, α = {v.alpha:.1e})",
                )
        judged = [v for v in verdicts if v.judged]
        if not judged:  # a declined test is no evidence of unbiasedness
            declined = declined or f"unbiasedness in {arg} not judged: {verdicts[0].reason}"
        else:
            ctx.note(
                f"∂/∂{arg}: unbiased against {what}: mean deviation {judged[0].estimate:.3g} "
                f"(n = {judged[0].n}); one ≥ {min(v.min_bias for v in judged):.3g} is detected "
                "with probability ≥ 0.999"
            )
    if declined is not None:
        return PropertyResult(name, NOT_JUDGED, declined)
    return PropertyResult(name, PASS)


#: rows whose parameters are all at least this take part in the paired unbiasedness tests
PAIRED_MIN = 10.0


def _paired_with_field(results, grads, params, wf, family, ctx) -> dict[str, list[np.ndarray]]:
    """{arg: [pooled y, row-scaled y]}, each of mean 0 under any valid reparameterization (see
    the module docstring). Left out (a choice by z or the parameters alone, so the mean stays
    0): rows with a parameter < PAIRED_MIN, samples on an end of the support, and samples whose
    v is 0, below the normal range or not finite."""
    rows = np.all([np.asarray(p, np.float64) >= PAIRED_MIN for p in params], axis=0)
    dtype = ctx.dtype if ctx.dtype in audit.UNIT_ROUNDOFF else "float64"
    floor = audit.TOL_ULPS * audit.UNIT_ROUNDOFF[dtype]  # rounding noise is not magnified
    ys: dict[str, list] = {arg: [] for arg in family.arg_names}
    for c, res in enumerate(results):
        z = res.value.astype(np.float64)
        ref = family.implicit(z, params)
        edge = audit.boundary(z, ctx.dtype, family.bounded)
        h = np.minimum(z, 1.0 - z) if family.bounded else np.ones_like(z)
        for k, arg in enumerate(family.arg_names):
            v = ref[arg][0]
            keep = rows & ~edge & np.isfinite(v) & (np.abs(v) >= np.finfo(dtype).tiny)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                y = h * (grads[k][c] / wf - v) / np.abs(v)
            ys[arg].append(np.where(keep, y, np.nan))
    out = {}
    half = len(results) // 2
    for arg, y in ys.items():
        y = np.stack(y)[:, rows]  # (calls, kept rows)
        first = np.nan_to_num(y[:half] ** 2, nan=0.0)
        counts = np.isfinite(y[:half]).sum(0)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.maximum(np.sqrt(first.sum(0) / counts), floor)
            scaled = y[half:] / scale
        out[arg] = [y[np.isfinite(y)], scaled[np.isfinite(scaled)]]
    return out


def _narrower(got: str, due: str) -> bool:
    kind = got if got in ("float16", "float32", "float64") else "float64"
    return bool(np.finfo(kind).eps > np.finfo(due).eps)


def judge_implicit(ctx: Context, family: Family) -> list[PropertyResult]:
    """Judge IMPL as a reparameterized sampler of the family; see the module docstring."""
    names = [
        "runs and returns an array of the parameters' shape",
        f"returns {ctx.dtype} (the precision it was given) or wider",
        "finite for finite inputs",
        "same seed, same z; another seed, another z",
        "the law: F(z; θ) is U(0, 1) (goodness of fit)",
    ]
    if ctx.framework != "numpy":
        names.append("gradients by autograd: implicit −∂_θF/p, or unbiased")
    names.append("leaves its inputs unchanged")
    out = {n: PropertyResult(n, NOT_RUN) for n in names}
    params = family.inputs(ctx)
    grad = tuple(range(len(params))) if ctx.framework != "numpy" else ()
    w = ctx.rng("cotangent").uniform(0.5, 2.0, params[0].shape).astype(ctx.dtype)
    calls = [
        Call((*params, Noise(s)), grad=grad, cotangent=w if grad else None)
        for s in ctx.noise_seeds(CALLS)
    ]
    results = ctx.box.run([*calls, calls[0]])  # every call held to the timeout
    due = params[0].shape
    for res in results:
        problem = res.problem(due)
        if problem is not None:
            if problem == "shape":
                problem = f"wrong shape {tuple(res.value.shape)} (shape {due} is due)"
            out[names[0]] = PropertyResult(names[0], FAIL, problem)
            return list(out.values())
    out[names[0]] = PropertyResult(names[0], PASS)
    again, results = results[-1], results[:-1]
    z = np.stack([r.value.astype(np.float64) for r in results])
    narrower = sorted({r.dtype for r in results if _narrower(r.dtype, ctx.dtype)})
    out[names[1]] = (
        PropertyResult(names[1], PASS)
        if not narrower
        else PropertyResult(names[1], FAIL, f"returns {', '.join(narrower)} for {ctx.dtype} inputs")
    )
    bad = int((~np.isfinite(z)).sum())
    out[names[2]] = (
        PropertyResult(names[2], PASS)
        if not bad
        else PropertyResult(names[2], FAIL, f"{bad} of {z.size} samples are not finite")
    )
    if not np.array_equal(again.value.astype(np.float64), z[0], equal_nan=True):
        out[names[3]] = PropertyResult(names[3], FAIL, "the same seed gives another z")
    elif np.array_equal(z[0], z[1]):
        out[names[3]] = PropertyResult(names[3], FAIL, "another seed gives the same z")
    else:
        out[names[3]] = PropertyResult(names[3], PASS)
    n_tests = 1 + (len(params) if grad else 0)
    alpha = ctx.false_alarm / n_tests
    ctx.report.n_statistical_tests += n_tests
    ctx.report.false_alarm += ctx.false_alarm
    if not bad:
        out[names[4]] = _law(names[4], z, params, family, ctx, alpha)
        if grad:
            out[names[5]] = _gradients(names[5], results, params, w, family, ctx, alpha)
    mutated = any(r.mutated for r in results)
    out[names[-1]] = (
        PropertyResult(names[-1], FAIL, "mutated its inputs")
        if mutated
        else (PropertyResult(names[-1], PASS))
    )
    return list(out.values())


PROPERTIES = (
    "runs and returns an array of the parameters' shape",
    "returns the precision it was given or wider",
    "finite for finite inputs",
    "same seed, same z; another seed, another z",
    "the law: F(z; θ) is U(0, 1) (goodness of fit)",
    "(torch, jax) gradients by autograd: implicit −∂_θF/p, or unbiased",
    "leaves its inputs unchanged",
)


def as_float64(params: tuple) -> list[np.ndarray]:
    """The parameters exactly as IMPL received them, in float64."""
    return [p.astype(np.float64) for p in params]


def implicit_target(name, summary, args, returns, reference, family: Family) -> Target:
    """A target judged by :func:`judge_implicit`; IMPL draws its own noise."""
    return Target(
        statistical=True,
        name=name,
        summary=summary,
        signatures={
            "numpy": f"IMPL({args}, rng)  (rng: numpy.random.Generator)",
            "torch": f"IMPL({args})  (torch's global generator, seeded by rtverify)",
            "jax": f"IMPL(key, {args})",
        },
        returns=returns,
        reference=reference,
        run=lambda ctx: judge_implicit(ctx, family),
        properties=PROPERTIES,
    )
