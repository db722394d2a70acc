"""ELBO and IWAE gradient estimators as autograd surrogates: ``elbo-gradient``, ``iwae-gradient``.

IMPL(log_joint, mu, p) (jax: key first) draws its own noise — for ``iwae-gradient`` K = ``--k``
importance samples per example (an IMPL whose signature takes a fourth positional parameter,
IMPL(log_joint, mu, p, k), is given k: :class:`~rtverify.check.calls.IfTaken`; the number of
samples it draws is checked by counting the rows of z log_joint is evaluated at) — and returns
a scalar surrogate whose gradient in (mu, p), taken by rtverify with the framework's autograd, estimates ∇ Σ_b ELBO(q_b) (resp. Σ_b L_K(q_b)) — the standard
reparameterized form, STL (Roeder et al. 2017), DReG (Tucker et al. 2019) and any other
unbiased form conform. ``log_joint`` (an Fn in IMPL's framework) maps z of shape (…, batch, 2)
to log p(x, z) of the linear-Gaussian model of :mod:`rtverify.check.targets.bounds`.

Batch rows are ``CONFIGS`` (μ, log σ²) configurations, each repeated ``REPLICATES`` times; each
call's mean over a configuration's replicates is one observation. Each (configuration, parameter,
coordinate) is a skew-corrected studentised test at α = false_alarm / (number of tests) of the
mean against

- ``elbo-gradient``: the exact gradient, ∇_μ = P(m − μ), ∇_{log σ_d} = 1 − P_dd σ_d²
  (:func:`rtverify.gradients.linear_gaussian_elbo_gradient`, proved in stl-gradient.md);
- ``iwae-gradient``: the mean of the reference's standard IWAE_K gradient
  (:func:`rtverify.gradients.iwae_gradient_samples`) over ``REFERENCE_SAMPLES`` draws, whose
  standard error is added to IMPL's (a two-sample test).

IMPL's per-sample variance is reported beside the reference estimators' (standard and STL, or
standard and DReG): STL's is 0 at the exact posterior. ``elbo-gradient`` shows this on
``POSTERIOR_CALLS`` more calls at q = p(z | x) of ``DIAGONAL_POSTERIOR`` (orthogonal columns of
W, equal noise on them: a diagonal posterior, so a diagonal q is exact there) — shown, not
tested: the unbiasedness tests, their α and their power are those of ``CONFIGS`` alone.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from rtverify import gaussian, gradients, stats
from rtverify.check import statistics
from rtverify.check.adapters import build_function
from rtverify.check.calls import Call, Fn, IfTaken, Noise
from rtverify.check.report import FAIL, NOT_JUDGED, NOT_RUN, PASS, Counterexample, PropertyResult
from rtverify.check.target import Context, Target
from rtverify.check.targets.autograd import surrogate_problem
from rtverify.check.targets._bound_models import DIAGONAL_POSTERIOR
from rtverify.check.targets.bounds import JOINT
from rtverify.models import LinearGaussian

__all__ = ["CALLS", "CONFIGS", "REPLICATES", "TARGETS", "elbo_gradient", "iwae_gradient"]

CONFIGS = (((0.3, -0.5), (-0.7, 0.2)), ((1.0, 0.2), (-1.5, -0.3)), ((-0.4, 0.6), (0.4, -2.0)))
REPLICATES = 64
CALLS = 300
REFERENCE_SAMPLES = 200_000
#: ``elbo-gradient``: calls at the exact posterior of ``DIAGONAL_POSTERIOR`` (variance shown only)
POSTERIOR_CALLS = 20
_W = np.array([[1.2, -0.4], [0.3, 0.9], [-0.7, 0.5]])
_B, _PSI, _X = np.array([0.2, -0.1, 0.4]), np.array([0.5, 0.8, 1.3]), np.array([0.4, -1.0, 2.0])


def _model() -> LinearGaussian:
    return LinearGaussian(_W, _B, _PSI)


def _grad_log_joint(z: np.ndarray) -> np.ndarray:
    return ((_X - _B - z @ _W.T) / _PSI) @ _W - z


@functools.cache
def _reference(k: int | None, param: str, mu: tuple, lv: tuple) -> tuple[np.ndarray, ...]:
    """(mean (2, 2), standard error (2, 2), variances {form: (2, 2)}) of the reference."""
    mu_a, lv_a = np.array([mu]), np.array([lv])
    p = gaussian.param_from_logvar(lv_a, param)
    gen = stats.rng("bound-gradients reference", k, param, mu, lv)  # reproducible, seed-free
    n = REFERENCE_SAMPLES
    if k is None:
        exact = gradients.linear_gaussian_elbo_gradient(_model(), _X[None], mu_a, p, param=param)
        eps = gen.standard_normal((n, 1, 2))
        var = {
            form: np.stack(
                [
                    g[:, 0].var(0)
                    for g in gradients.elbo_gradient_samples(
                        _grad_log_joint, mu_a, p, eps, param=param, form=form
                    )
                ]
            )
            for form in ("standard", "stl")
        }
        return np.stack([exact[0][0], exact[1][0]]), np.zeros((2, 2)), var
    eps = gen.standard_normal((k, n, 1, 2))
    f = build_function(JOINT.code, np)
    out = {
        form: gradients.iwae_gradient_samples(
            f, _grad_log_joint, mu_a, p, eps, param=param, form=form
        )
        for form in ("standard", "dreg")
    }
    std = np.stack([g[:, 0] for g in out["standard"]])  # (2 params, n, 2)
    var = {form: np.stack([g[:, 0].var(0) for g in gs]) for form, gs in out.items()}
    return std.mean(1), std.std(1, ddof=1) / math.sqrt(n), var


def _judge(ctx: Context, k: int | None) -> list[PropertyResult]:
    arg = ctx.param
    names = [
        "runs and returns a scalar surrogate",
        f"gradients flow to mu and {arg}",
        "finite gradients",
        "unbiased for ∂/∂mu",
        f"unbiased for ∂/∂{arg}",
        "leaves its inputs unchanged",
        *(() if k is None else (_K_PROPERTY,)),
    ]
    out = {n: PropertyResult(n, NOT_RUN) for n in names}
    mus = np.repeat(np.array([c[0] for c in CONFIGS]), REPLICATES, axis=0)
    lvs = np.repeat(np.array([c[1] for c in CONFIGS]), REPLICATES, axis=0)
    mu, p = ctx.cast(mus, gaussian.param_from_logvar(lvs, arg))
    extra = () if k is None else (IfTaken(k),)  # IMPL(log_joint, mu, p) fixes its own K
    seeds = ctx.noise_seeds(CALLS + (POSTERIOR_CALLS if k is None else 0))
    calls = [
        Call((Fn(JOINT.code), mu, p, *extra, Noise(seed)), grad=(1, 2)) for seed in seeds[:CALLS]
    ]
    if k is None:  # q = p(z | x) exactly: STL's variance is 0 there (shown, not tested)
        mu_post, p_post = ctx.cast(*_at_posterior(arg, mu.shape[0]))
        calls += [
            Call((Fn(DIAGONAL_POSTERIOR.code), mu_post, p_post, Noise(seed)), grad=(1, 2))
            for seed in seeds[CALLS:]
        ]
    results = ctx.box.run(calls)  # every call held to the timeout
    for res in results:
        failure = surrogate_problem(res, arg)
        if failure is not None:
            at, detail = failure
            if at == 1:
                out[names[0]] = PropertyResult(names[0], PASS)
            out[names[at]] = PropertyResult(names[at], FAIL, detail)
            return list(out.values())
    if len(results) < len(calls):
        out[names[0]] = PropertyResult(names[0], FAIL, "stopped before every call ran")
        return list(out.values())
    out[names[0]] = PropertyResult(names[0], PASS)
    results, at_posterior = results[:CALLS], results[CALLS:]
    # (calls, configs, replicates, 2) per parameter
    shape = (len(results), len(CONFIGS), REPLICATES, 2)
    grads = [
        np.stack([r.grads[i].astype(np.float64) for r in results]).reshape(shape) for i in (0, 1)
    ]
    zero = not any(np.any(g) for g in grads)
    out[names[1]] = PropertyResult(
        names[1], FAIL if zero else PASS, "the gradient is 0: a detached sample?" if zero else ""
    )
    finite = all(np.isfinite(g).all() for g in grads)
    out[names[2]] = PropertyResult(
        names[2], PASS if finite else FAIL, "" if finite else "non-finite gradients"
    )
    mutated = any(r.mutated for r in results)
    out[names[5]] = PropertyResult(
        names[5], FAIL if mutated else PASS, "mutated its inputs" if mutated else ""
    )
    if k is not None:
        out[_K_PROPERTY] = _draws_k(results, mu.shape[0], k)
    if zero or not finite:
        return list(out.values())
    refs = [_reference(k, arg, *(tuple(v) for v in c)) for c in CONFIGS]
    n_tests = 2 * len(CONFIGS) * 2
    alpha = ctx.false_alarm / n_tests
    ctx.report.n_statistical_tests += n_tests
    ctx.report.false_alarm += ctx.false_alarm
    for i, name in enumerate(names[3:5]):
        out[name] = _unbiased(name, i, grads[i], refs, alpha, k)
    _variance_note(grads, refs, ctx, k)
    if at_posterior:
        _posterior_note(at_posterior, ctx)
    return list(out.values())


def _at_posterior(param: str, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """(μ, p) of q = p(z | x) of ``DIAGONAL_POSTERIOR`` (its covariance is diagonal), ``batch``
    rows."""
    mean, cov = DIAGONAL_POSTERIOR.truth.posterior(np.array(DIAGONAL_POSTERIOR.x))
    assert np.count_nonzero(cov - np.diag(np.diag(cov))) == 0, "posterior not diagonal"
    lv = np.log(np.diag(cov))
    return np.tile(mean, (batch, 1)), gaussian.param_from_logvar(np.tile(lv, (batch, 1)), param)


def _grad_log_joint_posterior_model(z: np.ndarray) -> np.ndarray:
    return DIAGONAL_POSTERIOR.truth.grad_log_joint(np.array(DIAGONAL_POSTERIOR.x), z)


@functools.cache
def posterior_variances(param: str) -> dict[str, np.ndarray]:
    """The reference's per-sample variances (standard, STL) of (∂/∂μ, ∂/∂p), (2, 2) each, at
    q = p(z | x) of ``DIAGONAL_POSTERIOR``: STL's is 0 to rounding (Roeder et al. 2017)."""
    mu, p = _at_posterior(param, 1)
    eps = stats.rng("bound-gradients posterior", param).standard_normal((REFERENCE_SAMPLES, 1, 2))
    return {
        form: np.stack(
            [
                g[:, 0].var(0)
                for g in gradients.elbo_gradient_samples(
                    _grad_log_joint_posterior_model, mu, p, eps, param=param, form=form
                )
            ]
        )
        for form in ("standard", "stl")
    }


def _posterior_note(results, ctx) -> None:
    """IMPL's per-sample variance at q = p(z | x) beside the reference's standard and STL."""
    per_sample = [
        np.concatenate([r.grads[i].astype(np.float64) for r in results]).var(0, ddof=1)
        for i in (0, 1)
    ]
    mu, p = _at_posterior("logvar", 1)
    ctx.note(
        f"variance per sample at q = p(z | x), the exact posterior of a linear-Gaussian model "
        f"with W = [[1, 1], [1, −1], [0, 0]], ψ = (0.5, 0.5, 1.3) (diagonal: μ = "
        f"({mu[0, 0]:.3g}, {mu[0, 1]:.3g}), log σ² = ({p[0, 0]:.3g}, {p[0, 1]:.3g})), "
        f"{len(results)} calls of {results[0].grads[0].shape[0]} rows (shown, not tested): "
        f"{_variances_text(per_sample, posterior_variances(ctx.param))} — STL's is 0 here, "
        "to rounding"
    )


def _draws_k(results, batch: int, k: int) -> PropertyResult:
    """``_K_PROPERTY``: the rows of z log_joint was evaluated at per call, over the batch —
    the fewest over the calls that evaluated it in Python (a JAX IMPL compiled once is
    evaluated at its tracing only)."""
    counts = [r.fn_rows for r in results if r.fn_rows]
    if not counts:
        return PropertyResult(_K_PROPERTY, NOT_JUDGED, "log_joint was never evaluated")
    drawn = min(counts) / batch
    if drawn == k:
        return PropertyResult(_K_PROPERTY, PASS)
    shown = f"{drawn:g}"
    return PropertyResult(
        _K_PROPERTY,
        FAIL,
        f"IMPL evaluates log_joint at {shown} samples per example where --k {k} says {k}: it "
        f"draws K = {shown} importance samples? (then pass --k {shown}; the reference is L_K "
        "of --k)",
    )


def _unbiased(name, i, grads, refs, alpha, k) -> PropertyResult:
    means = grads.mean(axis=2)  # (calls, configs, 2)
    first_bad, declined, powers = None, None, []
    for c, (mean, se, _) in enumerate(refs):
        for d in range(2):
            obs = means[:, c, d]
            v = statistics.mean_test(obs, float(mean[i, d]), alpha)
            if k is not None and v.judged:  # two-sample: add the reference's standard error
                se_impl = obs.std(ddof=1) / math.sqrt(obs.size)
                z = (obs.mean() - mean[i, d]) / math.hypot(se_impl, se[i, d])
                v_pass = abs(z) <= v.critical
            else:
                v_pass = v.passed
            if not v.judged:
                declined = declined or (c, d, v)
                continue
            powers.append(v.min_bias)
            if not v_pass and first_bad is None:
                first_bad = (c, d, v)
    if first_bad is not None:
        c, d, v = first_bad
        detail = (
            f"biased: mean {v.estimate:.4g} vs {v.expected:.4g} in coordinate {d + 1} at "
            f"μ = {CONFIGS[c][0]}, log σ² = {CONFIGS[c][1]}"
        )
        cx = Counterexample(
            {
                "mu": CONFIGS[c][0],
                "logvar": CONFIGS[c][1],
                "calls": CALLS,
                "replicates": REPLICATES,
            },
            v.expected,
            v.estimate,
            f"z = {v.statistic:.1f}, critical {v.critical:.2f} at α = {v.alpha:.1e}",
        )
        return PropertyResult(name, FAIL, detail, cx)
    if declined is not None:
        c, d, v = declined
        return PropertyResult(name, NOT_JUDGED, f"not judged at configuration {c + 1}: {v.reason}")
    return PropertyResult(name, PASS)


def _variance_note(grads, refs, ctx, k) -> None:
    per_sample = [g[:, 0].reshape(-1, 2).var(0, ddof=1) for g in grads]
    ctx.note(
        f"variance per sample at μ = {CONFIGS[0][0]}, log σ² = {CONFIGS[0][1]} (∂/∂mu₁, ∂/∂mu₂, "
        f"∂/∂{ctx.param}₁, ∂/∂{ctx.param}₂): {_variances_text(per_sample, refs[0][2])}"
    )


def _variances_text(per_sample: list, forms: dict) -> str:
    """'IMPL (…); reference standard (…), stl (…)': four variances each, (∂/∂μ, ∂/∂p)."""
    parts = ", ".join(
        f"{form} ({', '.join(f'{x:.3g}' for x in np.concatenate([v[0], v[1]]))})"
        for form, v in forms.items()
    )
    impl = ", ".join(f"{x:.3g}" for x in np.concatenate(per_sample))
    return f"IMPL ({impl}); reference {parts}"


_K_PROPERTY = "draws --k samples: log_joint evaluated at K z's per example"
_PROPERTIES = (
    "runs and returns a scalar surrogate",
    "gradients flow to mu and p",
    "finite gradients",
    "unbiased for ∂/∂mu",
    "unbiased for ∂/∂p",
    "leaves its inputs unchanged",
)

elbo_gradient = Target(
    name="elbo-gradient",
    summary="an autograd surrogate whose gradient estimates ∇_(μ,p) ELBO (standard, STL, …)",
    signatures={"torch": "IMPL(log_joint, mu, p)", "jax": "IMPL(key, log_joint, mu, p)"},
    returns="a scalar surrogate; rtverify takes its gradient in (mu, p) by autograd",
    reference="exact ∇ELBO on a linear-Gaussian model (rtverify.gradients)",
    run=lambda ctx: _judge(ctx, None),
    properties=_PROPERTIES,
    options=("param",),
    statistical=True,
)

iwae_gradient = Target(
    name="iwae-gradient",
    summary="an autograd surrogate whose gradient estimates ∇_(μ,p) L_K (standard IWAE, DReG, …)",
    signatures={
        "torch": "IMPL(log_joint, mu, p)  (K = --k samples; IMPL(log_joint, mu, p, k) gets k)",
        "jax": "IMPL(key, log_joint, mu, p)  (K = --k; IMPL(key, log_joint, mu, p, k) gets k)",
    },
    returns="a scalar surrogate; rtverify takes its gradient in (mu, p) by autograd",
    reference="the mean of rtverify.gradients.iwae_gradient_samples (standard form)",
    run=lambda ctx: _judge(ctx, ctx.k),
    properties=(*_PROPERTIES, _K_PROPERTY),
    options=("param", "k"),
    statistical=True,
)

TARGETS = (elbo_gradient, iwae_gradient)
