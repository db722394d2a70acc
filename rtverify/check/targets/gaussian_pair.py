"""The ``gaussian-kl-pair`` target: KL(q ‖ p) between two diagonal Gaussians per example.

Reference: :func:`rtverify.gaussian.kl_diag_pair` (a learned or hierarchical prior: LVAE,
NVAE, VDVAE, the diffusion models' ``normal_kl``). Both variances come in the parameterization
named by ``param``.

Rounding bound of a correct implementation (times ``K_ROUNDING``), with r = σ_q²/σ_p²,
t = log r, δ = (μ_q − μ_p)²/σ_p² per coordinate: u·(D + 4 [+ batch])·Σ_d [r (1 + |lv_q| +
|lv_p|) + δ (1 + |lv_p|) + 1 + |t| + |lv_q| + |lv_p|] — the rounding of the four summands of the
textbook form (σ passes through exp∘log, hence the |lv| factors) and of their sum, so the
textbook form (which cancels r − 1 − log r at r ≈ 1) conforms.

Inputs: batch × D = 5 × 3, 1 × 1, logvars over [−30, 30]² and |μ| ≤ 1e3 (random 64 × 8, twice),
q close to p (the cancellation region), the prior N(0, I) (so that code ignoring p is told
from code that is right), and a large 300 × 12 case.
"""

from __future__ import annotations

import numpy as np

from rtverify import gaussian
from rtverify.check import diagnose
from rtverify.check.target import Context, Target
from rtverify.check.targets import _closed_form as cf
from rtverify.check.targets.gaussian import _properties

__all__ = ["TARGETS", "kl_pair"]

K_ROUNDING = 4.0
LOGVAR_RANGE = (-30.0, 30.0)
MU_RANGE = (-1e3, 1e3)


def _cases(ctx: Context) -> list[tuple[str, tuple[np.ndarray, ...]]]:
    gen = ctx.rng(ctx.param, "kl-pair")

    def mu(batch, dim):
        return gen.choice([-1.0, 1.0], (batch, dim)) * 10.0 ** gen.uniform(-3, 3, (batch, dim))

    def random(batch, dim):
        lv = gen.uniform(*LOGVAR_RANGE, (2, batch, dim))
        return mu(batch, dim), lv[0], mu(batch, dim), lv[1]

    def near(batch, dim):
        mq, lq, _, _ = random(batch, dim)
        lp = lq + gen.choice([-1.0, 1.0], lq.shape) * 10.0 ** gen.uniform(-8, -1, lq.shape)
        mp = mq + 1e-4 * gen.standard_normal(mq.shape) * np.exp(lq / 2)
        return mq, lq, mp, lp

    def standard_prior(batch, dim):
        mq, lq, _, _ = random(batch, dim)
        return mq * 1e-2, lq / 10, np.zeros_like(mq), np.zeros_like(lq)

    raw = [
        ("batch 5, D 3", random(5, 3)),
        ("batch 1, D 1", random(1, 1)),
        ("random 64 × 8", random(64, 8)),
        ("another random 64 × 8", random(64, 8)),
        ("q close to p (cancellation)", near(40, 6)),
        ("prior N(0, I)", standard_prior(10, 4)),
        ("large 300 × 12", random(300, 12)),
    ]
    to_p = lambda lv: gaussian.param_from_logvar(lv, ctx.param)  # noqa: E731
    return [(label, (mq, to_p(lq), mp, to_p(lp))) for label, (mq, lq, mp, lp) in raw]


def _f64(args: tuple) -> tuple[np.ndarray, ...]:
    return tuple(a.astype(np.float64) for a in args)


def _reference(args: tuple, ctx: Context) -> np.ndarray:
    return cf.reduce(gaussian.kl_diag_pair(*_f64(args), ctx.param), ctx.reduction)


def _tolerance(args: tuple, ctx: Context) -> np.ndarray:
    mq, pq, mp, pp = _f64(args)
    lq, lp = gaussian.logvar_from(pq, ctx.param), gaussian.logvar_from(pp, ctx.param)
    batch, dim = mq.shape
    n_terms = dim + 4 + (batch if ctx.reduction != "none" else 0)
    with np.errstate(over="ignore"):
        r = np.exp(lq - lp)
        delta = (mq - mp) ** 2 * np.exp(-lp)
    alq, alp = np.abs(lq), np.abs(lp)
    size = r * (1 + alq + alp) + delta * (1 + alp) + 1 + np.abs(lq - lp) + alq + alp
    per_example = K_ROUNDING * ctx.unit_roundoff * n_terms * np.sum(size, axis=-1)
    return cf.reduce(per_example, ctx.reduction)


def _mistakes(args: tuple, ctx: Context) -> list[diagnose.Mistake]:
    mq, pq, mp, pp = _f64(args)
    param = ctx.param
    lq, lp = gaussian.logvar_from(pq, param), gaussian.logvar_from(pp, param)
    ref = gaussian.kl_diag_pair(mq, pq, mp, pp, param)
    d2 = (mq - mp) ** 2
    half_sum = lambda t: 0.5 * np.sum(t, axis=-1)  # noqa: E731
    wrong = [
        (
            "KL(p ‖ q): the arguments are swapped",
            lambda: gaussian.kl_diag_pair(mp, pp, mq, pq, param),
        ),
        ("off by a factor 2 (the ½ is missing)", lambda: 2.0 * ref),
        (
            "the log-ratio term is missing its ½ (log σ_p² − log σ_q² where log σ_p − log σ_q "
            "is due, as in LVAE)",
            lambda: ref + 0.5 * np.sum(lp - lq, axis=-1),
        ),
        ("ignores p: KL to N(0, I)", lambda: gaussian.kl_standard_normal(mq, pq, param)),
        (
            "the mean term is not divided by σ_p²",
            lambda: half_sum(np.exp(lq - lp) + d2 - 1 - (lq - lp)),
        ),
        ("the −1 term is missing (off by D/2)", lambda: ref + 0.5 * mq.shape[-1]),
    ]
    for other in gaussian.PARAMETERIZATIONS:
        if other != param:
            text = f"reads the {param} arguments as {other}"
            wrong.append((text, lambda o=other: gaussian.kl_diag_pair(mq, pq, mp, pp, o)))
    return cf.with_reductions(wrong, ref, ctx)


def _shape_words(got: np.ndarray, due: tuple, args: tuple, ctx: Context) -> str | None:
    mq, pq, mp, pp = _f64(args)
    per_example = gaussian.kl_diag_pair(mq, pq, mp, pp, ctx.param)
    return diagnose.describe_shape(got, due, mq.shape[0], None, per_example)


def _shrink_args(example: dict, ctx: Context) -> tuple:
    mq, lq, mp, lp = (
        np.array(example[k], dtype=np.float64) for k in ("mu_q", "lv_q", "mu_p", "lv_p")
    )
    to_p = lambda lv: gaussian.param_from_logvar(lv, ctx.param)  # noqa: E731
    return mq, to_p(lq), mp, to_p(lp)


SPEC = cf.ClosedForm(
    arg_names=lambda ctx: ("mu_q", f"{ctx.param}_q", "mu_p", f"{ctx.param}_p"),
    cases=_cases,
    due_shape=lambda args, ctx: args[0].shape[:1] if ctx.reduction == "none" else (),
    reference=_reference,
    tolerance=_tolerance,
    mistakes=_mistakes,
    shape_words=_shape_words,
    shrink_names=("mu_q", "lv_q", "mu_p", "lv_p"),
    shrink_ranges={"mu_q": MU_RANGE, "lv_q": LOGVAR_RANGE, "mu_p": MU_RANGE, "lv_p": LOGVAR_RANGE},
    shrink_args=_shrink_args,
)

kl_pair = Target(
    name="gaussian-kl-pair",
    summary="KL(N(μ_q, σ_q²) ‖ N(μ_p, σ_p²)) per example, summed over the latent axis",
    signatures={f: "IMPL(mu_q, p_q, mu_p, p_p)" for f in ("numpy", "torch", "jax")},
    returns="(batch,), or a scalar with --reduction sum | mean",
    reference="rtverify.gaussian.kl_diag_pair",
    run=lambda ctx: cf.judge(SPEC, ctx),
    properties=_properties(SPEC),
    options=("param", "reduction"),
)

TARGETS = (kl_pair,)
