"""Judging a location-scale sampler that draws its own noise (``rsample``).

IMPL(μ, p, noise) → z of shape (batch, D) must be z = μ + σ·ε with ε iid N(0, 1). rtverify
calls it ``CALLS`` times on fixed inputs (μ ∈ [−3, 3], log σ² ∈ [−4, 4], drawn from the seed;
batch × D = 64 × 16) with seeds 1, 2, … (numpy: a ``Generator``; torch: the global generator;
jax: a key), standardizes x = (z − μ)/σ in float64 and judges:

- goodness of fit of x to N(0, 1): the DKWM bound (rigorous α), and exact tests of the mean
  (√n·x̄ ~ N(0, 1)) and the scale (Σx² ~ χ²_n) for power against a wrong σ or a shifted μ;
- independence: no two batch rows, latent positions or calls identical (a certainty under a
  continuous law, so shared noise fails surely), and exact t-tests of zero correlation between
  adjacent rows, adjacent latent positions and consecutive calls;
- the same seed gives the same z, another seed another z;
- (torch, jax) by autograd, ∂z/∂μ = 1 and ∂z/∂p equals its exact value at the returned z
  (½(z − μ) for logvar, z − μ for log_std, (z − μ)/σ for std, (z − μ)/(2σ²) for var);
- shape, precision, finiteness (also on extreme inputs: |μ| ≤ 1e3, log σ² = ±30), no mutation.

The statistical tests share the check's false-alarm probability (Bonferroni); each states the
smallest discrepancy it detects.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rtverify import gaussian
from rtverify.check import statistics
from rtverify.check.adapters import NO_GRADIENT_HINT
from rtverify.check.calls import Call, Noise
from rtverify.check.report import FAIL, NOT_RUN, PASS, Counterexample, PropertyResult
from rtverify.check.target import Context

__all__ = ["CALLS", "judge_sampler"]

CALLS = 128
BATCH, DIM = 64, 16
K_ROUNDING = 4.0


def _inputs(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    gen = ctx.rng(ctx.param, "law inputs")
    mu = gen.uniform(-3.0, 3.0, (BATCH, DIM))
    lv = gen.uniform(-4.0, 4.0, (BATCH, DIM))
    mu, p = ctx.cast(mu, gaussian.param_from_logvar(lv, ctx.param))
    return mu, p, gaussian.std_from(p.astype(np.float64), ctx.param)


def judge_sampler(ctx: Context, dz_dp: dict[str, Callable]) -> list[PropertyResult]:
    """Judge IMPL as a reparameterized sampler of N(μ, σ²); see the module docstring."""
    names = [
        "runs and returns an array of shape (batch, D)",
        f"returns {ctx.dtype} (the precision it was given) or wider",
        "finite for finite inputs",
        "same seed, same z; another seed, another z",
        "(z − μ)/σ is N(0, 1): goodness of fit",
        "independent across batch rows, latent positions and calls",
    ]
    if ctx.framework != "numpy":
        names.append("gradients by autograd: ∂z/∂μ = 1, ∂z/∂p exact")
    names.append("leaves its inputs unchanged")
    out = {n: PropertyResult(n, NOT_RUN) for n in names}
    mu, p, sigma = _inputs(ctx)
    grad = (0, 1) if ctx.framework != "numpy" else ()
    w = ctx.rng("cotangent").uniform(0.5, 2.0, mu.shape).astype(ctx.dtype)

    def call(seed: int, m: np.ndarray = mu, q: np.ndarray = p) -> Call:
        cot = w if grad and m.shape == w.shape else None
        return Call((m, q, Noise(seed)), grad=grad if cot is not None else (), cotangent=cot)

    gen = ctx.rng(ctx.param, "edge")
    edge_lv = gen.choice([-30.0, -1.0, 0.0, 1.0, 30.0], (8, 4))
    edge_mu, edge_p = ctx.cast(
        gen.choice([-1e3, -1.0, 0.0, 1e-3, 1e3], (8, 4)),
        gaussian.param_from_logvar(edge_lv, ctx.param),
    )
    first = ctx.box.run([call(1)])
    results = first + (
        ctx.box.run([call(s) for s in range(2, CALLS + 1)]) if not first[0].error else []
    )
    extra = (
        ctx.box.run([call(1), call(CALLS + 1, edge_mu, edge_p)]) if len(results) == CALLS else []
    )

    # shape and errors
    for res, due, label in [
        *((r, mu.shape, "law inputs") for r in results),
        *((r, d, "extreme inputs") for r, d in zip(extra, (mu.shape, edge_mu.shape), strict=False)),
    ]:
        problem = res.problem(due)
        if problem is not None:
            if problem == "shape":
                problem = f"wrong shape {tuple(res.value.shape)} (shape {due} is due)"
            out[names[0]] = PropertyResult(names[0], FAIL, f"{problem} ({label})")
            return list(out.values())
    out[names[0]] = PropertyResult(names[0], PASS)
    z = np.stack([r.value.astype(np.float64) for r in results])  # (calls, batch, D)

    out[names[1]] = ctx.precision(names[1], results)
    edge_z = extra[1].value.astype(np.float64)
    finite = np.isfinite(z).all() and np.isfinite(edge_z).all()
    out[names[2]] = (
        PropertyResult(names[2], PASS)
        if finite
        else PropertyResult(
            names[2],
            FAIL,
            "returns non-finite values for finite inputs"
            + ("" if np.isfinite(z).all() else " (on the law inputs)"),
        )
    )

    # reproducibility
    again = extra[0].value.astype(np.float64)
    if not np.array_equal(again, z[0], equal_nan=True):
        out[names[3]] = PropertyResult(
            names[3],
            FAIL,
            "the same seed gives another z: IMPL ignores the generator rtverify seeds "
            "(numpy: the rng argument; torch: the global generator; jax: the key)",
        )
    elif np.array_equal(z[0], z[1]):
        out[names[3]] = PropertyResult(
            names[3], FAIL, "another seed gives the same z: the noise ignores the seed"
        )
    else:
        out[names[3]] = PropertyResult(names[3], PASS)

    # the law
    if not np.isfinite(z).all():
        return list(out.values())
    x = (z - mu.astype(np.float64)) / sigma
    alpha = ctx.false_alarm / 6
    ctx.report.n_statistical_tests += 6
    ctx.report.false_alarm += ctx.false_alarm
    fit = [
        statistics.dkwm_normal(x, alpha),
        statistics.normal_mean(x, alpha),
        statistics.normal_variance(x, alpha),
    ]
    out[names[4]] = _from_verdicts(names[4], fit, ctx)
    out[names[5]] = _independence(names[5], x, alpha, ctx)

    if grad:
        out[names[6]] = _gradients(names[6], results, mu, p, sigma, w, ctx, dz_dp)
    mutated = any(r.mutated for r in results)
    out[names[-1]] = (
        PropertyResult(names[-1], PASS)
        if not mutated
        else PropertyResult(names[-1], FAIL, "mutated its inputs")
    )
    return list(out.values())


def _from_verdicts(name: str, verdicts: list, ctx: Context) -> PropertyResult:
    for v in verdicts:
        ctx.note(v.describe())
    failed = [v for v in verdicts if not v.passed]
    if not failed:
        return PropertyResult(name, PASS)
    return PropertyResult(name, FAIL, "; ".join(v.describe() for v in failed))


def _independence(name: str, x: np.ndarray, alpha: float, ctx: Context) -> PropertyResult:
    _calls, _batch, _dim = x.shape

    def same(a: np.ndarray, b: np.ndarray) -> bool:  # equal up to rounding: never by chance
        return bool(np.all(np.abs(a - b) < 1e-3))

    if same(x[:, 0], x[:, 1]):
        return PropertyResult(
            name,
            FAIL,
            "batch rows 0 and 1 are identical: the noise is shared across the batch (drawn "
            "with shape (D,) and broadcast?)",
        )
    if same(x[:, :, 0], x[:, :, 1]):
        return PropertyResult(
            name,
            FAIL,
            "latent positions 0 and 1 are identical: the noise is shared across the latent "
            "axis (drawn with shape (batch, 1)?)",
        )
    if same(x[0], x[1]):
        return PropertyResult(
            name, FAIL, "calls 1 and 2 are identical: the noise does not change between calls"
        )
    verdicts = [
        statistics.correlation(x[:, :-1], x[:, 1:], "between adjacent batch rows", alpha),
        statistics.correlation(
            x[:, :, :-1], x[:, :, 1:], "between adjacent latent positions", alpha
        ),
        statistics.correlation(x[:-1], x[1:], "between consecutive calls", alpha),
    ]
    return _from_verdicts(name, verdicts, ctx)


def _gradients(name, results, mu, p, sigma, w, ctx, dz_dp) -> PropertyResult:
    m = mu.astype(np.float64)
    lv = gaussian.logvar_from(p.astype(np.float64), ctx.param)
    per_unit = np.abs(dz_dp[ctx.param](sigma, 1.0)) / sigma  # |∂z/∂p| per unit of σε
    u = K_ROUNDING * ctx.unit_roundoff
    wf = w.astype(np.float64)
    arg = ctx.param
    for res in results:
        if res.grads is None or len(res.grads) < 2 or res.grads[0] is None or res.grads[1] is None:
            missing = "mu and " + arg if not res.grads or res.grads[0] is None else arg
            why = f" ({res.grad_note})" if res.grad_note else ""
            return PropertyResult(
                name,
                FAIL,
                f"no gradient flows from z to {missing}{why}: not reparameterized — "
                f"{NO_GRADIENT_HINT[ctx.framework]}",
            )
        z = res.value.astype(np.float64)
        spread = z - m
        want_p = wf * dz_dp[ctx.param](sigma, spread / sigma)
        tol_p = (
            u * np.abs(wf) * (np.abs(want_p / wf) * (2 + np.abs(lv)) + 2 * per_unit * np.abs(z))
            + 2 * ctx.tiny
        )
        for what, got, want, tol in (
            ("mu", res.grads[0], wf, u * np.abs(wf)),
            (arg, res.grads[1], want_p, tol_p),
        ):
            got = got.astype(np.float64)
            ok = np.abs(got - want) <= tol + 2 * ctx.tiny
            if ok.all():
                continue
            i = np.unravel_index(int(np.argmax(~ok)), ok.shape)
            if not np.any(got):
                detail = (
                    f"the gradient of z with respect to {what} is 0: not reparameterized — "
                    f"{NO_GRADIENT_HINT[ctx.framework]}"
                )
            else:
                detail = f"wrong gradient of z with respect to {what}"
            cx = Counterexample(
                {"mu": mu[i], arg: p[i], "z": z[i], "cotangent": w[i]},
                want[i],
                got[i],
                f"∂(Σ cotangent·z)/∂{what} at one element",
            )
            return PropertyResult(name, FAIL, detail, cx)
    return PropertyResult(name, PASS)
