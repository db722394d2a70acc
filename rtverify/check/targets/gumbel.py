"""The ``gumbel-softmax`` target: y = softmax((logits + g)/τ), g iid Gumbel(0, 1), drawn by IMPL.

IMPL(logits, tau) → y of shape (batch, K), called ``CALLS`` times with distinct noise seeds drawn
from the check's seed, on fixed logits (uniform on [−3, 3], from the seed; K = 4) at
τ = ``TAU``. Judged (derivations *gumbel-max*, *gumbel-softmax*):

- shape, precision, finite, on the simplex (y ≥ 0, |Σy − 1| ≤ 4Ku), same seed same y;
- the argmax law: for each k, Σ_rows (1{argmax y = k} − π_k) with π = softmax(logits) is a sum
  of independent centred Bernoullis with exact variance Σ π_k(1 − π_k): a z-test per k;
- the relaxed law at τ ≠ 1: t = τ·log(y₀/y₁) − (l₀ − l₁) is standard logistic (a difference of
  two Gumbels), by the DKWM bound on expit(t) -- a sampler without the temperature fails here;
- (torch, jax) the gradient of Σ w·y in the logits is the softmax Jacobian at the returned y:
  (1/τ)(y ⊙ w − y (y·w)), per sample.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from rtverify.check.calls import Call, Noise
from rtverify.check.report import FAIL, NOT_RUN, PASS, Counterexample, PropertyResult
from rtverify.check.target import Context, Target

__all__ = ["CALLS", "TARGETS", "TAU", "gumbel_softmax"]

CALLS = 24
BATCH, K = 256, 4
TAU = 0.5
K_ROUNDING = 16.0

_NAMES = (
    "runs and returns an array of shape (batch, K)",
    "finite, on the simplex, same seed same y",
    "the argmax of y is Categorical(softmax(logits))",
    "τ·log(y₀/y₁) − (l₀ − l₁) is standard logistic",
    "(torch, jax) gradient in the logits is the softmax Jacobian (1/τ)(diag y − y yᵀ)",
)


def _judge(ctx: Context) -> list[PropertyResult]:
    out = {n: PropertyResult(n, NOT_RUN) for n in _NAMES}
    if ctx.framework == "numpy":
        del out[_NAMES[4]]
    (logits,) = ctx.cast(ctx.rng("logits").uniform(-3.0, 3.0, (BATCH, K)))
    tau = ctx.round(TAU)
    grad = (0,) if ctx.framework != "numpy" else ()
    w = ctx.rng("cotangent").uniform(0.5, 2.0, (BATCH, K)).astype(ctx.dtype)
    calls = [
        Call((logits, tau, Noise(s)), grad=grad, cotangent=w if grad else None)
        for s in ctx.noise_seeds(CALLS)
    ]
    results = ctx.box.run([*calls, calls[0]])  # every call held to the timeout
    for res in results:
        problem = res.problem((BATCH, K))
        if problem is not None:
            if problem == "shape":
                problem = f"wrong shape {tuple(res.value.shape)} ((batch, K) = {(BATCH, K)} is due)"
            out[_NAMES[0]] = PropertyResult(_NAMES[0], FAIL, problem)
            return list(out.values())
    out[_NAMES[0]] = PropertyResult(_NAMES[0], PASS)
    again, results = results[-1], results[:-1]
    y = np.stack([r.value.astype(np.float64) for r in results])  # (calls, batch, K)
    u = K_ROUNDING * ctx.unit_roundoff
    if not np.isfinite(y).all():
        out[_NAMES[1]] = PropertyResult(_NAMES[1], FAIL, "returns non-finite values")
        return list(out.values())
    off = np.abs(y.sum(-1) - 1) > K * u
    if off.any() or (y < 0).any():
        c, b = np.unravel_index(int(np.argmax(off)), off.shape)
        cx = Counterexample({"logits": logits[b], "tau": tau}, 1.0, float(y[c, b].sum()), "Σy")
        return [*list(out.values())[:1], PropertyResult(_NAMES[1], FAIL, "not on the simplex", cx)]
    if not np.array_equal(again.value.astype(np.float64), y[0]):
        out[_NAMES[1]] = PropertyResult(_NAMES[1], FAIL, "the same seed gives another y")
    elif np.array_equal(y[0], y[1]):
        out[_NAMES[1]] = PropertyResult(_NAMES[1], FAIL, "another seed gives the same y")
    else:
        out[_NAMES[1]] = PropertyResult(_NAMES[1], PASS)
    alpha = ctx.false_alarm / (K + 1)
    ctx.report.n_statistical_tests += K + 1
    ctx.report.false_alarm += ctx.false_alarm
    out[_NAMES[2]] = _argmax_law(y, logits.astype(np.float64), alpha)
    out[_NAMES[3]] = _logistic_law(y, logits.astype(np.float64), tau, alpha, ctx)
    if grad:
        out[_NAMES[4]] = _jacobian(results, y, w.astype(np.float64), tau, logits, u)
    return list(out.values())


def _argmax_law(y, logits, alpha) -> PropertyResult:
    pi = special.softmax(logits, -1)
    hit = np.argmax(y, -1)[..., None] == np.arange(K)  # (calls, batch, K)
    sums = (hit - pi).sum((0, 1))
    sd = np.sqrt((pi * (1 - pi)).sum(0) * y.shape[0])
    stat = np.abs(sums) / sd
    crit = -special.ndtri(alpha / (2 * K))
    if np.all(stat <= crit):
        return PropertyResult(_NAMES[2], PASS)
    k = int(np.argmax(stat))
    return PropertyResult(
        _NAMES[2],
        FAIL,
        f"category {k} wins {int(hit[..., k].sum())} times where "
        f"{float(pi[:, k].sum()) * y.shape[0]:.1f} are expected (z = {stat[k]:.2f} > {crit:.2f})",
    )


def _logistic_law(y, logits, tau, alpha, ctx) -> PropertyResult:
    with np.errstate(divide="ignore"):
        t = tau * (np.log(y[..., 0]) - np.log(y[..., 1])) - (logits[:, 0] - logits[:, 1])
    t = t[np.isfinite(t)]  # y underflowed to 0 (a probability-0 event at float64 only)
    u = np.sort(special.expit(t))
    n = u.size
    i = np.arange(1, n + 1)
    d = float(max(np.max(i / n - u), np.max(u - (i - 1) / n)))
    eps = math.sqrt(math.log(2 / alpha) / (2 * n))
    ctx.note(f"Kolmogorov distance of the log-ratio to the logistic law: {d:.4g} vs {eps:.4g}")
    if d <= eps:
        return PropertyResult(_NAMES[3], PASS)
    return PropertyResult(
        _NAMES[3],
        FAIL,
        f"not logistic (Kolmogorov distance {d:.3g} > {eps:.3g}): the temperature is not applied "
        "as softmax((logits + g)/τ)?",
    )


def _jacobian(results, y, w, tau, logits, u) -> PropertyResult:
    for c, res in enumerate(results):
        if not res.grads or res.grads[0] is None:
            return PropertyResult(_NAMES[4], FAIL, "no gradient flows to the logits")
        got = res.grads[0].astype(np.float64)
        want = (y[c] * w - y[c] * (y[c] * w).sum(-1, keepdims=True)) / tau
        tol = 4 * u * (y[c] * np.abs(w)).sum(-1, keepdims=True) / tau + 1e-300
        bad = np.abs(got - want) > tol
        if bad.any():
            b, _ = np.unravel_index(int(np.argmax(bad)), bad.shape)
            cx = Counterexample({"logits": logits[b], "tau": tau, "y": y[c, b]}, want[b], got[b])
            return PropertyResult(_NAMES[4], FAIL, "wrong gradient in the logits", cx)
    return PropertyResult(_NAMES[4], PASS)


gumbel_softmax = Target(
    statistical=True,
    name="gumbel-softmax",
    summary="the Concrete / Gumbel-softmax relaxation, drawing its own noise",
    signatures={
        "numpy": "IMPL(logits, tau, rng)  (rng: numpy.random.Generator)",
        "torch": "IMPL(logits, tau)  (torch's global generator, seeded by rtverify)",
        "jax": "IMPL(key, logits, tau)",
    },
    returns="y, (batch, K) on the simplex",
    reference="argmax y ~ Categorical(softmax(logits)); τ log(y_i/y_j) − (l_i − l_j) logistic",
    run=_judge,
    properties=_NAMES,
)

TARGETS = (gumbel_softmax,)
