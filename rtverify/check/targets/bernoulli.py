"""The ``bernoulli-log-likelihood`` target: Σ_d log Bernoulli(x_d; sigmoid(ℓ_d)) per example.

Reference: :func:`rtverify.categorical.bernoulli_log_likelihood` (notes eq. (4), (12)),
−Σ_d [x_d softplus(−ℓ_d) + (1 − x_d) softplus(ℓ_d)]. x ∈ {0, 1}, logits in [−100, 100].

Rounding bound of a correct implementation (times ``K_ROUNDING``): u·(D + 4 [+ batch])·
Σ_d (|ℓ_d| + 1) — the x·ℓ − softplus(ℓ) form (BCE-with-logits) rounds at the size of ℓ. A naive
log(sigmoid(ℓ)) / log(1 − sigmoid(ℓ)) is log 0 = −∞ once |ℓ| ≳ 37 (float64) or ≳ 17 (float32).

Inputs: batch × D = 5 × 4, 1 × 1, logits at the edges (0, ±1e-8, ±1, ±17, ±40, ±100) against
x = 0 and x = 1, random 64 × 10 with logits uniform on [−100, 100], all-zero and all-one images,
and a large 200 × 784 (an MNIST batch).
"""

from __future__ import annotations

import numpy as np

from rtverify.categorical import bernoulli_log_likelihood
from rtverify.check import diagnose
from rtverify.check.target import Context, Target
from rtverify.check.targets import _closed_form as cf
from rtverify.check.targets.gaussian import _properties
from rtverify.special import softplus

__all__ = ["TARGETS", "bernoulli"]

K_ROUNDING = 4.0
LOGIT_RANGE = (-100.0, 100.0)
_EDGES = (0.0, 1e-8, -1e-8, 1.0, -1.0, 17.0, -17.0, 40.0, -40.0, 100.0, -100.0)


def _cases(ctx: Context) -> list[tuple[str, tuple[np.ndarray, ...]]]:
    gen = ctx.rng("bernoulli")

    def random(batch, dim, scale=100.0):
        x = (gen.random((batch, dim)) < 0.5).astype(np.float64)
        return x, gen.uniform(-scale, scale, (batch, dim))

    edges = np.array(_EDGES)
    edge_x = np.repeat([[0.0], [1.0]], edges.size, axis=1)
    x_img = np.zeros((3, 16))
    x_img[1] = 1.0
    x_img[2, ::2] = 1.0
    return [
        ("batch 5, D 4", random(5, 4, 5.0)),
        ("batch 1, D 1", random(1, 1, 5.0)),
        ("edge logits", (edge_x, np.tile(edges, (2, 1)))),
        ("random 64 × 10, logits in [−100, 100]", random(64, 10)),
        ("all-zero, all-one and striped images", (x_img, gen.uniform(-100, 100, x_img.shape))),
        ("large 200 × 784", random(200, 784, 20.0)),
    ]


def _f64(args: tuple) -> tuple[np.ndarray, ...]:
    return tuple(a.astype(np.float64) for a in args)


def _reference(args: tuple, ctx: Context) -> np.ndarray:
    return cf.reduce(bernoulli_log_likelihood(*_f64(args)), ctx.reduction)


def _tolerance(args: tuple, ctx: Context) -> np.ndarray:
    _x, a = _f64(args)
    batch, dim = a.shape
    n_terms = dim + 4 + (batch if ctx.reduction != "none" else 0)
    size = np.sum(np.abs(a) + 1.0, axis=-1)
    return cf.reduce(K_ROUNDING * ctx.unit_roundoff * n_terms * size, ctx.reduction)


def _mistakes(args: tuple, ctx: Context) -> list[diagnose.Mistake]:
    x, a = _f64(args)
    ref = bernoulli_log_likelihood(x, a)
    wrong = [
        ("returns the loss −log p (binary cross-entropy), not log p", lambda: -ref),
        ("the (1 − x) log(1 − sigmoid) term is missing", lambda: -np.sum(x * softplus(-a), -1)),
        (
            "x and 1 − x swapped (or the logits' sign flipped)",
            lambda: bernoulli_log_likelihood(x, -a),
        ),
        ("averages over the pixels where their sum is due", lambda: ref / a.shape[-1]),
    ]
    return cf.with_reductions(wrong, ref, ctx)


def _shape_words(got: np.ndarray, due: tuple, args: tuple, ctx: Context) -> str | None:
    x, a = _f64(args)
    per_term = -(x * softplus(-a) + (1 - x) * softplus(a))
    return diagnose.describe_shape(got, due, a.shape[0], per_term, per_term.sum(-1))


def _shrink_args(example: dict, ctx: Context) -> tuple:
    u, a = (np.array(example[k], dtype=np.float64) for k in ("x", "logits"))
    return (u > 0.5).astype(np.float64), a


SPEC = cf.ClosedForm(
    arg_names=lambda ctx: ("x", "logits"),
    cases=_cases,
    due_shape=lambda args, ctx: args[0].shape[:1] if ctx.reduction == "none" else (),
    reference=_reference,
    tolerance=_tolerance,
    mistakes=_mistakes,
    shape_words=_shape_words,
    shrink_names=("x", "logits"),
    shrink_ranges={"x": (0.0, 1.0), "logits": LOGIT_RANGE},
    shrink_args=_shrink_args,
)

bernoulli = Target(
    name="bernoulli-log-likelihood",
    summary="Σ_d log Bernoulli(x_d; sigmoid(logit_d)) per example, stable at logits ±100",
    signatures={f: "IMPL(x, logits)" for f in ("numpy", "torch", "jax")},
    returns="(batch,), or a scalar with --reduction sum | mean",
    reference="rtverify.categorical.bernoulli_log_likelihood",
    run=lambda ctx: cf.judge(SPEC, ctx),
    properties=_properties(SPEC),
    options=("reduction",),
)

TARGETS = (bernoulli,)
