"""The full-covariance Gaussian targets: ``mvn-rsample``, ``mvn-log-prob`` and ``mvn-kl``.

References: :mod:`rtverify.mvn` (z = μ + Lε; log N(z; μ, LLᵀ) by a triangular solve with
log|det L| = Σ log Lᵢᵢ; the KL as a sum of non-negative terms). ``scale_tril`` is (batch, D, D),
lower triangular with a positive diagonal.

Rounding bounds of a correct implementation with unit roundoff u (times ``K_ROUNDING``), from
the componentwise error of a triangular solve, |x̂ − x| ≤ γ_D |L⁻¹| |L| |x| (Higham 2002,
Thm. 8.5), with γ_D ≈ (D + 2)u:

- rsample: (D + 2)u (|μ| + |L| |ε|) per entry; its gradients (torch, jax): ∂(wᵀz)/∂μ = w,
  ∂(wᵀz)/∂L_ij = w_i ε_j on the lower triangle (the upper triangle, structurally 0, is not
  judged);
- log-prob: (D + 2)u [Σᵢ |εᵢ| (|L⁻¹|(|L||ε| + |z| + |μ|))ᵢ + Σᵢ |log Lᵢᵢ| + D];
- KL: (D + 4)u [Σ |M| ∘ (|L_p⁻¹||L_q|) + Σ |y| ∘ (|L_p⁻¹|(|μ_p| + |μ_q|)) + D + Σ|log L_q,ᵢᵢ|
  + Σ|log L_p,ᵢᵢ|], M = L_p⁻¹L_q, y = L_p⁻¹(μ_p − μ_q): the textbook trace form, which cancels
  tr − D − log det, conforms; forming Σ = LLᵀ and inverting it does not (cond Σ = cond(L)²).

Inputs: batch × D = 4 × 3, 1 × 1, diagonals 10^U(−6, 6) with off-diagonal entries up to
√(LᵢᵢLⱼⱼ) (6 × 4), near-identity factors, and a large 200 × 6 case.
"""

from __future__ import annotations

import numpy as np

from rtverify import mvn
from rtverify.check import diagnose
from rtverify.check.target import Context, Target
from rtverify.check.targets import _closed_form as cf
from rtverify.check.targets.gaussian import _properties

__all__ = ["TARGETS", "mvn_kl", "mvn_log_prob", "mvn_rsample"]

K_ROUNDING = 4.0
_LOG_RANGE = (-6.0, 6.0)  # log10 of the diagonal entries


def _tril(gen: np.random.Generator, batch: int, dim: int, lo: float, hi: float) -> np.ndarray:
    diag = 10.0 ** gen.uniform(lo, hi, (batch, dim))
    off = gen.standard_normal((batch, dim, dim)) * np.sqrt(diag[:, :, None] * diag[:, None, :])
    scale = gen.uniform(0.0, 1.0, (batch, 1, 1))
    return np.tril(off * scale, -1) + np.apply_along_axis(np.diag, -1, diag)


def _pairs(ctx: Context, label: str) -> list[tuple[str, tuple[np.ndarray, ...]]]:
    """(label, (a, L_a, b, L_b, eps)) cases: two means, two factors and a noise."""
    gen = ctx.rng(label)

    def case(batch, dim, lo=-6.0, hi=6.0, near=False):
        mu = gen.uniform(-1, 1, (batch, dim)) * 10.0 ** gen.uniform(-3, 3, (batch, 1))
        la = _tril(gen, batch, dim, lo, hi)
        if near:
            lb = la * (1 + 1e-6 * np.tril(gen.standard_normal(la.shape)))
            nu = mu + 1e-6 * gen.standard_normal(mu.shape) * np.diagonal(la, axis1=1, axis2=2)
        else:
            lb = _tril(gen, batch, dim, lo, hi)
            nu = gen.uniform(-1, 1, (batch, dim)) * 10.0 ** gen.uniform(-3, 3, (batch, 1))
        return mu, la, nu, lb, gen.standard_normal((batch, dim))

    return [
        ("batch 4, D 3", case(4, 3, -1, 1)),
        ("batch 1, D 1", case(1, 1, -1, 1)),
        ("diagonals 1e-6 … 1e6", case(6, 4)),
        ("q close to p", case(5, 3, -2, 2, near=True)),
        ("large 200 × 6", case(200, 6, -2, 2)),
    ]


def _f64(args: tuple) -> tuple[np.ndarray, ...]:
    return tuple(a.astype(np.float64) for a in args)


def _abs_inv(L: np.ndarray) -> np.ndarray:
    """|L⁻¹| (elementwise), for error bounds only."""
    eye = np.broadcast_to(np.eye(L.shape[-1]), L.shape)
    return np.abs(mvn.solve_tril(L, eye))


def _shrink_args(kind: str):
    """Examples (2-d lists mu, ld, off, eps) → args; L = diag(10^ld) + off below (scaled)."""

    def to_args(example: dict, ctx: Context) -> tuple:
        mu, ld, off, eps = (np.array(example[k], dtype=np.float64) for k in SHRINK_NAMES)
        diag = 10.0**ld
        dim = diag.shape[1]
        low = np.tril(np.ones((dim, dim)), -1)
        L = low * off[:, None, :] * np.sqrt(diag[:, :, None] * diag[:, None, :])
        L = L + np.apply_along_axis(np.diag, -1, diag)
        if kind == "rsample":
            return mu, L, eps
        if kind == "log-prob":
            return mu + np.einsum("bij,bj->bi", L, eps), mu, L
        return mu, L, eps, np.apply_along_axis(np.diag, -1, 10.0 ** (ld / 2))

    return to_args


SHRINK_NAMES = ("mu", "ld", "off", "eps")
SHRINK_RANGES = {"mu": (-1e3, 1e3), "ld": _LOG_RANGE, "off": (-1.0, 1.0), "eps": (-6.0, 6.0)}


def _shape_words(got, due, args, ctx):
    return None


# -- mvn-rsample ---------------------------------------------------------------------------


def _rsample_tolerance(args: tuple, ctx: Context) -> np.ndarray:
    mu, L, eps = _f64(args)
    d = L.shape[-1]
    size = np.abs(mu) + np.einsum("bij,bj->bi", np.abs(L), np.abs(eps))
    return K_ROUNDING * ctx.unit_roundoff * (d + 2) * size


def _rsample_gradient(args: tuple, w: np.ndarray, ctx: Context) -> list[tuple]:
    _mu, L, eps = _f64(args)
    u = K_ROUNDING * ctx.unit_roundoff
    g_L = w[:, :, None] * eps[:, None, :]
    tol_L = np.where(np.tril(np.ones(L.shape[-2:])) > 0, u * np.abs(g_L), np.inf)
    return [(w, u * np.abs(w)), (g_L, tol_L)]


def _rsample_mistakes(args: tuple, ctx: Context) -> list[diagnose.Mistake]:
    mu, L, eps = _f64(args)
    return [
        ("uses the transposed factor (z = μ + Lᵀε)", lambda: mu + np.einsum("bji,bj->bi", L, eps)),
        ("uses only the diagonal of L", lambda: mu + np.diagonal(L, axis1=1, axis2=2) * eps),
        ("ignores mu (z = Lε)", lambda: np.einsum("bij,bj->bi", L, eps)),
        ("wrong sign of the noise term (μ − Lε)", lambda: mu - np.einsum("bij,bj->bi", L, eps)),
    ]


RSAMPLE_SPEC = cf.ClosedForm(
    arg_names=lambda ctx: ("mu", "scale_tril", "eps"),
    cases=lambda ctx: [(lbl, (a, la, e)) for lbl, (a, la, _, _, e) in _pairs(ctx, "rsample")],
    due_shape=lambda args, ctx: args[0].shape,
    reference=lambda args, ctx: mvn.mvn_rsample(*_f64(args)),
    tolerance=_rsample_tolerance,
    mistakes=_rsample_mistakes,
    shape_words=_shape_words,
    shrink_names=SHRINK_NAMES,
    shrink_ranges=SHRINK_RANGES,
    shrink_args=_shrink_args("rsample"),
    gradient=cf.Gradient((0, 1), _rsample_gradient),
    nondeterministic="draws its own random numbers instead of using eps",
)

# -- mvn-log-prob --------------------------------------------------------------------------


def _log_prob_tolerance(args: tuple, ctx: Context) -> np.ndarray:
    z, mu, L = _f64(args)
    d = L.shape[-1]
    e = mvn.solve_tril(L, (z - mu)[..., None])[..., 0]
    inv = _abs_inv(L)
    spread = np.einsum("bij,bj->bi", np.abs(L), np.abs(e)) + np.abs(z) + np.abs(mu)
    e_err = np.einsum("bij,bj->bi", inv, spread)
    logs = np.sum(np.abs(np.log(np.diagonal(L, axis1=1, axis2=2))), axis=-1)
    return K_ROUNDING * ctx.unit_roundoff * (d + 2) * (np.sum(np.abs(e) * e_err, -1) + logs + d)


def _log_prob_mistakes(args: tuple, ctx: Context) -> list[diagnose.Mistake]:
    z, mu, L = _f64(args)
    ref = mvn.mvn_log_prob(z, mu, L)
    logdet = np.sum(np.log(np.diagonal(L, axis1=1, axis2=2)), axis=-1)
    return [
        ("log|det| counted twice (2 Σ log Lᵢᵢ where Σ log Lᵢᵢ is due)", lambda: ref - logdet),
        ("the log-determinant is missing", lambda: ref + logdet),
        ("the −(D/2) log 2π term is missing", lambda: ref + 0.5 * L.shape[-1] * np.log(2 * np.pi)),
        (
            "uses the transposed factor (covariance LᵀL)",
            lambda: _naive_log_prob(z, mu, np.einsum("bji,bjk->bik", L, L)),
        ),
        ("off by a factor 2 (the ½ is missing)", lambda: 2.0 * ref),
    ]


def _naive_log_prob(z: np.ndarray, mu: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """log N(z; μ, cov) by an explicit inverse (only to name a mistake)."""
    r = z - mu
    _, logdet = np.linalg.slogdet(cov)
    quad = np.einsum("bi,bij,bj->b", r, np.linalg.inv(cov), r)
    return -0.5 * (r.shape[-1] * np.log(2 * np.pi) + logdet + quad)


LOG_PROB_SPEC = cf.ClosedForm(
    arg_names=lambda ctx: ("z", "mu", "scale_tril"),
    cases=lambda ctx: [
        (lbl, (a + np.einsum("bij,bj->bi", la, 2 * e), a, la))
        for lbl, (a, la, _, _, e) in _pairs(ctx, "log-prob")
    ],
    due_shape=lambda args, ctx: args[0].shape[:1],
    reference=lambda args, ctx: mvn.mvn_log_prob(*_f64(args)),
    tolerance=_log_prob_tolerance,
    mistakes=_log_prob_mistakes,
    shape_words=_shape_words,
    shrink_names=SHRINK_NAMES,
    shrink_ranges=SHRINK_RANGES,
    shrink_args=_shrink_args("log-prob"),
)

# -- mvn-kl --------------------------------------------------------------------------------


def _kl_tolerance(args: tuple, ctx: Context) -> np.ndarray:
    mq, lq, mp, lp = _f64(args)
    d = lq.shape[-1]
    inv = _abs_inv(lp)
    m = mvn.solve_tril(lp, lq)
    y = mvn.solve_tril(lp, (mp - mq)[..., None])[..., 0]
    m_err = np.einsum("bij,bjk->bik", inv, np.abs(lq))
    y_err = np.einsum("bij,bj->bi", inv, np.abs(mp) + np.abs(mq))
    logs = np.abs(np.log(np.diagonal(lq, axis1=1, axis2=2))) + np.abs(
        np.log(np.diagonal(lp, axis1=1, axis2=2))
    )
    size = (
        np.sum(np.abs(m) * m_err, axis=(1, 2))
        + np.sum(np.abs(y) * y_err, axis=-1)
        + d
        + np.sum(logs, axis=-1)
    )
    return K_ROUNDING * ctx.unit_roundoff * (d + 4) * size


def _kl_mistakes(args: tuple, ctx: Context) -> list[diagnose.Mistake]:
    mq, lq, mp, lp = _f64(args)
    ref = mvn.mvn_kl(mq, lq, mp, lp)
    dq = np.log(np.diagonal(lq, axis1=1, axis2=2)).sum(-1)
    dp = np.log(np.diagonal(lp, axis1=1, axis2=2)).sum(-1)
    return [
        ("KL(p ‖ q): the arguments are swapped", lambda: mvn.mvn_kl(mp, lp, mq, lq)),
        ("off by a factor 2 (the ½ is missing)", lambda: 2.0 * ref),
        (
            "log det Σ = Σ log Lᵢᵢ (the factor 2 of log det LLᵀ is missing)",
            lambda: ref - 0.5 * (dp - dq),
        ),
        ("the −D term is missing", lambda: ref + 0.5 * lq.shape[-1]),
        ("the mean term is missing", lambda: mvn.mvn_kl(mq, lq, mq, lp)),
    ]


KL_SPEC = cf.ClosedForm(
    arg_names=lambda ctx: ("mu_q", "scale_tril_q", "mu_p", "scale_tril_p"),
    cases=lambda ctx: [(lbl, case[:4]) for lbl, case in _pairs(ctx, "kl")],
    due_shape=lambda args, ctx: args[0].shape[:1],
    reference=lambda args, ctx: mvn.mvn_kl(*_f64(args)),
    tolerance=_kl_tolerance,
    mistakes=_kl_mistakes,
    shape_words=_shape_words,
    shrink_names=SHRINK_NAMES,
    shrink_ranges=SHRINK_RANGES,
    shrink_args=_shrink_args("kl"),
)


_ALL = {"numpy": None, "torch": None, "jax": None}

mvn_rsample = Target(
    name="mvn-rsample",
    summary="the reparameterized full-covariance sample z = μ + Lε from the given ε",
    signatures={f: "IMPL(mu, scale_tril, eps)" for f in _ALL},
    returns="z, (batch, D); torch/jax: gradients flow to mu and scale_tril",
    reference="rtverify.mvn.mvn_rsample",
    run=lambda ctx: cf.judge(RSAMPLE_SPEC, ctx),
    properties=_properties(RSAMPLE_SPEC),
)

mvn_log_prob = Target(
    name="mvn-log-prob",
    summary="log N(z; μ, LLᵀ) per example (triangular solve, log|det L| = Σ log Lᵢᵢ)",
    signatures={f: "IMPL(z, mu, scale_tril)" for f in _ALL},
    returns="(batch,)",
    reference="rtverify.mvn.mvn_log_prob",
    run=lambda ctx: cf.judge(LOG_PROB_SPEC, ctx),
    properties=_properties(LOG_PROB_SPEC),
)

mvn_kl = Target(
    name="mvn-kl",
    summary="KL(N(μ_q, L_qL_qᵀ) ‖ N(μ_p, L_pL_pᵀ)) per example",
    signatures={f: "IMPL(mu_q, scale_tril_q, mu_p, scale_tril_p)" for f in _ALL},
    returns="(batch,)",
    reference="rtverify.mvn.mvn_kl",
    run=lambda ctx: cf.judge(KL_SPEC, ctx),
    properties=_properties(KL_SPEC),
)

TARGETS = (mvn_rsample, mvn_log_prob, mvn_kl)
