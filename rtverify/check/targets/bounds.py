"""The ``elbo`` and ``iwae`` targets: single-sample ELBO and IWAE_K estimates on rtverify's ε.

IMPL(log_likelihood, mu, p, eps) → (batch,) for ``elbo`` (or, with ``--reduction sum | mean``,
the sum or mean over the batch: the reduced reference is judged, within the examples' rounding
bounds plus the summation's, and a wrong reduction is named as for ``gaussian-kl``);
IMPL(log_joint, mu, p, eps) → (batch,)
for ``iwae`` with eps of shape (K, batch, D) (K = ``--k``). The model functions are given in
IMPL's framework (:class:`~rtverify.check.calls.Fn`): z of shape (…, batch, D) ↦ (…, batch).
q_b = N(μ_b, diag σ_b²), prior N(0, I), σ from ``p`` as ``--param`` names it.

Because IMPL gets rtverify's ε, each call is compared with the reference on the *same* ε
(:mod:`rtverify.bounds`): an ELBO call must equal the analytic-KL form log p(x | z) − KL(q ‖ p)
or the Monte Carlo-KL form log p(x | z) + log p(z) − log q(z) — both unbiased for the ELBO
(proved: docs/derivations/elbo-identity.md, gaussian-kl.md) — and an IWAE call must equal
log (1/K) Σ_k w_k, whose mean L_K satisfies ELBO ≤ L_K ≤ log p(x) (iwae-bound.md; tested
in tests/test_bounds.py). Agreement is judged within rounding (no statistical test).

The means are judged too (:mod:`._bound_means`, calibrated tests, α and power reported): on
rows of fixed q, IMPL's ELBO estimates are unbiased for the exact ELBO and their mean is
≤ log p(x) (Bernoulli decoder, exact values by quadrature); its IWAE_K estimates have a mean
ordered L_1 ≤ L_K ≤ log p(x) (linear-Gaussian, exact L_1 = ELBO and log p(x)). Per-call
agreement does not make these redundant: it ties IMPL's sample mean to the reference's sample
mean, which is itself random — an ordering of expectations needs a test with stated errors.
With ``--reduction`` IMPL returns one value per call, so the fixed-q rows go in calls of
``CHUNK`` = 100 rows of one configuration: each call's mean (sum / 100) is one i.i.d. draw of
the mean of 100 estimates, with the same expectation; the tests then run on 100 such draws per
configuration at the same α (their power is reported as before).

Models (:mod:`._bound_models`), all with D = 2 latents: a linear-Gaussian decoder
x | z ∼ N(Wz + b, diag ψ) with one observation x; for ``elbo`` also a Bernoulli decoder
x_i | z ∼ Bernoulli(sigmoid(w_iᵀz + b_i)) (logits to ±250 in the wide-variance case, through
the framework's stable log-sigmoid); for ``iwae`` also a log-joint 1000·tanh(z₁ − z₂) − ½‖z‖²,
whose log-weights spread over ±1e3 (a naive log(mean(exp(log w))) overflows). Rounding bound
(times ``K_ROUNDING``): u·(D + 8)·[T(z) + G(z)·Σ_d e_d + Σ_d (μ_d² + σ_d²(1 + |lv_d|) + 1
+ |lv_d| + ε_d² + z_d² + (|ε_d|/σ_d + |z_d|) e_d)] per example, with T the size of the model's
terms and G the norm of its gradient in z (linear-Gaussian: T = Σ_i (r_i²/ψ_i + |log 2πψ_i|);
Bernoulli: T = Σ_i (|log sigmoid(s_i a_i)| + Σ_d |W_id z_d| + |b_i| + 1)) and
e_d = |μ_d| + |σ_dε_d|(1 + |lv_d|) the rounding of z_d (log q and log p(z) evaluated at the
rounded z, as torch.distributions does); per sample for IWAE, the largest over k, plus log K.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import logsumexp

from rtverify import bounds, gaussian
from rtverify.check import diagnose
from rtverify.check.calls import Call, Fn
from rtverify.check.report import FAIL, NOT_RUN, PASS, Counterexample, PropertyResult
from rtverify.check.target import Context, Target
from rtverify.check.targets import _bound_means as means
from rtverify.check.targets import _closed_form as cf
from rtverify.check.targets._bound_models import (
    BERNOULLI,
    JOINT,
    LIKELIHOOD,
    SPREAD,
    BoundModel,
)

__all__ = ["JOINT", "TARGETS", "elbo", "iwae"]

K_ROUNDING = 4.0
#: with ``--reduction sum | mean`` the mean tests' rows go in calls of this many rows each
CHUNK = 100
_GLOBAL_SEEDS = (12345, 54321)
_LOG_2PI = math.log(2 * math.pi)
_MEANS = "rows of fixed q first (the mean tests)"


def _cases(ctx: Context, iwae_k: int | None) -> list[tuple[str, BoundModel, tuple]]:
    gen = ctx.rng(ctx.param, "bounds", iwae_k)

    def draw(batch: int, lv_range=(-5.0, 3.0)):
        mu = gen.uniform(-3, 3, (batch, 2))
        lv = gen.uniform(*lv_range, (batch, 2))
        shape = (batch, 2) if iwae_k is None else (iwae_k, batch, 2)
        return mu, gaussian.param_from_logvar(lv, ctx.param), gen.standard_normal(shape)

    if iwae_k is None:
        head = [
            ("batch 8", LIKELIHOOD, draw(8)),
            ("batch 1", LIKELIHOOD, draw(1)),
            ("wide variances, batch 64", LIKELIHOOD, draw(64, (-20.0, 8.0))),
            ("large batch 500", LIKELIHOOD, draw(500)),
        ]
        if ctx.reduction == "none":
            return [
                *head,
                (
                    f"Bernoulli decoder: {_MEANS}, 8 random rows, 64 with wide variances "
                    "(logits to ±250)",
                    BERNOULLI,
                    _stack(means.inputs(ctx, None), draw(8), draw(64, (-20.0, 8.0))),
                ),
            ]
        # reduced: one value per call, so the mean tests' rows go in calls of CHUNK rows
        # (the reduced value of each is one draw of the mean of CHUNK estimates); they come last
        rows = means.inputs(ctx, None)
        n = rows[0].shape[0] // CHUNK
        return [
            *head,
            (
                "Bernoulli decoder: 8 random rows, 64 with wide variances (logits to ±250)",
                BERNOULLI,
                _stack(draw(8), draw(64, (-20.0, 8.0))),
            ),
            *(
                (
                    f"Bernoulli decoder: rows of fixed q (the mean tests), call {j + 1} of {n}",
                    BERNOULLI,
                    tuple(a[j * CHUNK : (j + 1) * CHUNK] for a in rows),
                )
                for j in range(n)
            ),
        ]
    return [
        ("linear-Gaussian, batch 8", JOINT, draw(8)),
        ("batch 1", JOINT, draw(1)),
        ("log-weights over ±1e3, batch 16", SPREAD, draw(16)),
        (
            f"linear-Gaussian: {_MEANS}, then a random batch of 300",
            JOINT,
            _stack(means.inputs(ctx, iwae_k), draw(300)),
        ),
    ]


def _stack(*cases: tuple) -> tuple:
    """Input cases (μ, p, ε) as one call: rows concatenated in order (the batch axis)."""
    return tuple(
        np.concatenate(parts, axis=-2 if i == 2 else 0)
        for i, parts in enumerate(zip(*cases, strict=True))
    )


def _sample_size(mu, p, eps, param):
    lv = gaussian.logvar_from(p, param)
    s = np.exp(lv / 2)
    z = mu + s * eps
    z_err = np.abs(mu) + np.abs(s * eps) * (1 + np.abs(lv))  # rounding of z, in units of u
    per = mu * mu + s * s * (1 + np.abs(lv)) + 1 + np.abs(lv) + eps * eps + z * z
    # log q and log p(z) evaluated at the rounded z: ∂/∂z is −ε/σ and −z
    per = per + (np.abs(eps) / s + np.abs(z)) * z_err
    return z, np.sum(per, -1), np.sum(z_err, -1)


def _tolerance(model: BoundModel, args: tuple, ctx: Context) -> np.ndarray:
    mu, p, eps = args
    z, q_size, z_err = _sample_size(mu, p, eps, ctx.param)
    terms, grad = model.size(z)
    size = terms + grad * z_err + q_size
    if eps.ndim == 3:
        size = np.max(size, axis=0) + math.log(eps.shape[0])
    return K_ROUNDING * ctx.unit_roundoff * (mu.shape[-1] + 8) * size


def _reduced_tolerance(model: BoundModel, args: tuple, ctx: Context) -> np.ndarray:
    """The rounding bound of the output as ``--reduction`` asks: per example, or of the sum
    (mean) over the batch — the examples' bounds plus the summation's, u·batch·Σ_b |y_b|
    (times ``K_ROUNDING``)."""
    tol = _tolerance(model, args, ctx)
    if ctx.reduction == "none":
        return tol
    size = np.max([np.abs(r) for r in _references(model, args, ctx).values()], axis=0)
    batch = args[0].shape[0]
    return cf.reduce(tol + K_ROUNDING * ctx.unit_roundoff * (batch + 1) * size, ctx.reduction)


def _references(model: BoundModel, args: tuple, ctx: Context) -> dict[str, np.ndarray]:
    f = model.reference
    mu, p, eps = args
    if eps.ndim == 3:
        return {"log-sum-exp": bounds.iwae_estimate(f, mu, p, eps, param=ctx.param)}
    return {
        form: bounds.elbo_estimate(f, mu, p, eps, param=ctx.param, kl=kl)
        for form, kl in (("analytic KL", "analytic"), ("Monte Carlo KL", "mc"))
    }


def _reduced_mistakes(model: BoundModel, args: tuple, ctx: Context) -> list[tuple[str, np.ndarray]]:
    """:func:`_mistakes` reduced as ``--reduction`` asks, with the other reduction of either
    ELBO form first (:func:`._closed_form.with_reductions`, as the KL targets name them)."""
    if ctx.reduction == "none":
        return _mistakes(model, args, ctx)
    wrong = [(t, lambda v=v: v) for t, v in _mistakes(model, args, ctx)]
    analytic, mc = _references(model, args, ctx).values()
    out = cf.with_reductions(wrong, analytic, ctx)
    out[1:1] = cf.with_reductions([], mc, ctx)
    return [(t, v()) for t, v in out]


def _mistakes(model: BoundModel, args: tuple, ctx: Context) -> list[tuple[str, np.ndarray]]:
    f = model.reference
    mu, p, eps = args
    lv = gaussian.logvar_from(p, ctx.param)
    kl = gaussian.kl_standard_normal(mu, p, ctx.param)
    if eps.ndim == 3:
        log_w = bounds.log_weights(f, mu, p, eps, param=ctx.param)
        return [
            ("logsumexp without − log K", logsumexp(log_w, axis=0)),
            ("the mean of log w (the ELBO), not log of the mean of w", np.mean(log_w, axis=0)),
            (
                "log q(z) with the wrong sign",
                bounds.log_mean_exp(log_w + 2 * (log_w - f(mu + np.exp(lv / 2) * eps)), 0),
            ),
        ]
    s = np.exp(lv / 2)
    z = mu + s * eps
    ll = f(z)
    log_pz = -0.5 * np.sum(z * z + _LOG_2PI, -1)
    log_q = bounds.log_q_diag(eps, lv / 2)
    log_q_at_eps = -0.5 * np.sum(((eps - mu) / s) ** 2 + _LOG_2PI + lv, -1)
    return [
        ("the KL is added, not subtracted", ll + kl),
        ("the KL is missing its ½", ll - 2 * kl),
        ("samples with σ² where σ is due", f(mu + np.exp(lv) * eps) - kl),
        ("the KL term is missing", ll),
        ("log p(z) − log q(z) with the wrong sign", ll - log_pz + log_q),
        ("log q evaluated at ε, not at z = μ + σε", ll + log_pz - log_q_at_eps),
        (
            "log q(z) without its −Σ log σ (log N(ε; 0, I))",
            ll + log_pz - log_q - np.sum(lv / 2, -1),
        ),
    ]


def _judge(ctx: Context, iwae_k: int | None) -> list[PropertyResult]:
    agree = (
        "agrees per call with the analytic-KL or the Monte Carlo-KL ELBO estimate"
        if iwae_k is None
        else "agrees per call with log (1/K) Σ w_k"
    )
    names = [
        "runs and returns an array of shape (batch,)"
        if ctx.reduction == "none"
        else f"runs and returns a scalar (the {ctx.reduction} over the batch)",
        f"returns {ctx.dtype} (the precision it was given) or wider",
        "finite for finite inputs",
        agree,
        "leaves its inputs unchanged",
        "deterministic: same inputs, same output (whatever the global random state)",
        *(means.ELBO_PROPERTIES if iwae_k is None else (means.IWAE_PROPERTY,)),
    ]
    out = {n: PropertyResult(n, NOT_RUN) for n in names}
    cases = [(lbl, m, ctx.cast(*a)) for lbl, m, a in _cases(ctx, iwae_k)]
    calls = [Call((Fn(m.code), *a)) for _, m, a in cases]
    results = ctx.box.run(calls)  # every call held to the timeout
    reduced = ctx.reduction != "none"
    for (label, model, args), res in zip(cases, results, strict=False):
        due = () if reduced else args[0].shape[:1]
        problem = res.problem(due, allow_unit=True)
        if problem == "shape":
            per_example = _references(model, tuple(a.astype(np.float64) for a in args), ctx)
            problem = diagnose.describe_shape(
                res.value, due, args[0].shape[0], None, per_example["analytic KL"]
            )
        if problem is not None:
            out[names[0]] = PropertyResult(names[0], FAIL, f"{problem} (input case: {label})")
            return list(out.values())
    if len(results) < len(cases):
        out[names[0]] = PropertyResult(names[0], FAIL, "stopped before every case ran")
        return list(out.values())
    out[names[0]] = PropertyResult(names[0], PASS)
    out[names[1]] = ctx.precision(names[1], results)
    finite, forms, failure = True, set(), None
    for (label, model, args), res in zip(cases, results, strict=True):
        got = res.value.astype(np.float64).reshape(() if reduced else args[0].shape[:1])
        a64 = tuple(a.astype(np.float64) for a in args)
        if not np.isfinite(got).all():
            if finite:
                out[names[2]] = PropertyResult(
                    names[2], FAIL, f"returns {got[~np.isfinite(got)][0]} (input case: {label})"
                )
            finite = False
            continue
        tol = _reduced_tolerance(model, a64, ctx) + 2 * ctx.tiny
        refs = {
            form: cf.reduce(ref, ctx.reduction)
            for form, ref in _references(model, a64, ctx).items()
        }
        matched = [form for form, ref in refs.items() if np.all(np.abs(got - ref) <= tol)]
        if matched:
            forms.add(matched[0])
        elif failure is None:
            words = next(
                (
                    t
                    for t, v in _reduced_mistakes(model, a64, ctx)
                    if np.allclose(got, v, rtol=1e-6, atol=float(np.max(tol)))
                ),
                "differs from the reference on the same ε",
            )
            if reduced:
                cx = Counterexample(
                    {"model": model.name, "batch": a64[0].shape[0]},
                    {form: float(r) for form, r in refs.items()},
                    float(got),
                    f"the {ctx.reduction} over the batch of the input case '{label}'",
                )
                failure = PropertyResult(names[3], FAIL, words, cx)
                continue
            i = int(np.argmax(np.min([np.abs(got - r) / tol for r in refs.values()], axis=0)))
            cx = Counterexample(
                {
                    "model": model.name,
                    "mu": a64[0][i],
                    ctx.param: a64[1][i],
                    "eps": a64[2][..., i, :],
                },
                {form: float(r[i]) for form, r in refs.items()},
                float(got[i]),
                f"batch row {i} of the input case '{label}'",
            )
            failure = PropertyResult(names[3], FAIL, words, cx)
    if finite:
        out[names[2]] = PropertyResult(names[2], PASS)
    out[names[3]] = failure or PropertyResult(names[3], PASS)
    if reduced:  # the last calls hold CHUNK rows of fixed q each: their means, one per call
        n = means.rows(None) * len(means.CONFIGS) // CHUNK
        got = np.array([float(r.value.reshape(())) for r in results[-n:]])
        got = got / CHUNK if ctx.reduction == "sum" else got
        args = tuple(np.concatenate([c[2][j][:1] for c in cases[-n:]]) for j in range(3))
        model, unit = cases[-1][1], f"calls of {CHUNK} rows (their mean)"
    else:
        _, model, args = cases[-1]  # its first rows are the fixed-q rows of the mean tests
        got = means.fixed_rows(results[-1].value.astype(np.float64), iwae_k)
        unit = "rows"
    if np.isfinite(got).all():
        a64 = tuple(a.astype(np.float64) for a in args)
        if iwae_k is None:
            out.update({r.name: r for r in means.elbo_means(got, a64, model, ctx, unit)})
        else:
            out[names[6]] = means.iwae_ordering(got, a64, model, ctx)
    if forms and failure is None and iwae_k is None:
        ctx.note(f"IMPL computes the {' and the '.join(sorted(forms))} form")
    mutated = sorted({k for r in results for k in r.mutated})
    out[names[4]] = PropertyResult(
        names[4], FAIL if mutated else PASS, "mutates its inputs" if mutated else ""
    )
    twice = ctx.box.run([Call(calls[0].args, global_seed=s) for s in _GLOBAL_SEEDS])
    same = (
        len(twice) == 2
        and all(r.value is not None for r in twice)
        and np.array_equal(twice[0].value, twice[1].value, equal_nan=True)
    )
    out[names[5]] = PropertyResult(
        names[5],
        PASS if same else FAIL,
        ""
        if same
        else "two identical calls give different outputs: draws its own noise instead of using eps",
    )
    return list(out.values())


_COMMON = (
    "runs and returns an array of shape (batch,)",
    "returns the precision it was given or wider",
    "finite for finite inputs",
)
_TAIL = ("leaves its inputs unchanged", "deterministic: same inputs, same output")

elbo = Target(
    name="elbo",
    summary="single-sample ELBO estimate per example on the given ε (prior N(0, I))",
    signatures={f: "IMPL(log_likelihood, mu, p, eps)" for f in ("numpy", "torch", "jax")},
    returns=(
        "(batch,), or a scalar with --reduction sum | mean; log_likelihood(z) → (…, batch) is "
        "a model rtverify supplies"
    ),
    reference="rtverify.bounds.elbo_estimate (analytic or Monte Carlo KL)",
    run=lambda ctx: _judge(ctx, None),
    properties=(
        *_COMMON,
        "agrees per call with the analytic-KL or the Monte Carlo-KL ELBO estimate",
        *_TAIL,
        *means.ELBO_PROPERTIES,
    ),
    options=("param", "reduction"),
    statistical=True,
)

iwae = Target(
    name="iwae",
    summary="IWAE_K estimate log (1/K) Σ_k p(x, z_k)/q(z_k) per example on the given ε",
    signatures={
        f: "IMPL(log_joint, mu, p, eps)  (eps: (K, batch, D))" for f in ("numpy", "torch", "jax")
    },
    returns="(batch,); log_joint(z) → (…, batch) is a model rtverify supplies",
    reference="rtverify.bounds.iwae_estimate",
    run=lambda ctx: _judge(ctx, ctx.k),
    properties=(*_COMMON, "agrees per call with log (1/K) Σ w_k", *_TAIL, means.IWAE_PROPERTY),
    options=("param", "k"),
    statistical=True,
)

TARGETS = (elbo, iwae)
