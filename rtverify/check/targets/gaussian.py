"""The diagonal-Gaussian targets: ``gaussian-kl``, ``reparam-sample`` and ``rsample``.

References: :func:`rtverify.gaussian.kl_standard_normal` (Kingma & Welling 2014, App. B) and
:func:`rtverify.gaussian.sample_diag` (z = μ + σ·ε, notes eq. (42)-(43)). The variance
parameter ``p`` is named by ``param`` (logvar, log_std, std, var).

Rounding bounds of a correct implementation in a dtype with unit roundoff u (float64: 2⁻⁵³,
float32: 2⁻²⁴), each times ``K_ROUNDING`` for slack (exp/log ≤ 1 ulp, products ½ ulp):

- KL: u·(D + 4 [+ batch])·Σ_d (μ² + σ²(1 + |lv|) + 1 + |lv|) per example — the rounding of the
  four summands (σ² may pass through exp∘log, hence 1 + |lv|) and of their recursive sum;
- sample: u·(|μ| + |σε|(2 + |lv|)); its gradients (torch, jax): ∂z/∂μ = 1 within u, ∂z/∂p
  (½σε for logvar, σε for log_std, ε for std, ε/(2σ) for var) within u·|∂z/∂p|·(2 + |lv|).

Inputs: batch × D = 5 × 3, 1 × 1, a grid of edge values (0, ±1, tiny, subnormal, huge,
logvar = ±30), two random 64 × 8 cases of the same shape (a cache keyed on the shape fails), the
cancellation region 1e-8 ≤ |logvar| ≤ 0.5 (where a truncated series of e^x − 1 − x shows), and
a large 300 × 12 case (over 1024 elements: a fast path for large inputs is judged too);
random cases have logvar ∈ [−30, 30] and |μ| ∈ [1e-3, 1e3].
"""

from __future__ import annotations

import numpy as np

from rtverify import gaussian
from rtverify.check import diagnose
from rtverify.check.target import Context, Target
from rtverify.check.targets import _closed_form as cf
from rtverify.check.targets._sampler_law import judge_sampler

__all__ = ["TARGETS", "kl", "reparam_sample", "rsample"]

K_ROUNDING = 4.0
LOGVAR_RANGE = (-30.0, 30.0)
MU_RANGE = (-1e3, 1e3)
EPS_RANGE = (-6.0, 6.0)
_EDGE_MU = (0.0, 1.0, -1.0, 0.1, 5e-324, 2.2250738585072014e-308, 1e3, -1e3)
_EDGE_LV = (0.0, 1.0, -1.0, 1e-300, 1e-10, -2.5, 30.0, -30.0)
_EDGE_EPS = (0.0, 1.0, -1.0, 2.5, -0.3, 1e-300, 6.0)


def _gaussian_cases(ctx: Context, with_eps: bool) -> list[tuple[str, tuple[np.ndarray, ...]]]:
    gen = ctx.rng(ctx.param, "cases")

    def random_case(batch: int, dim: int, lv_range=LOGVAR_RANGE) -> tuple[np.ndarray, ...]:
        mags = 10.0 ** gen.uniform(-3.0, 3.0, (batch, dim))
        sign = gen.choice([-1.0, 1.0], (batch, dim))
        mu = np.where(gen.random((batch, dim)) < 0.1, 0.0, sign * mags)
        lv = gen.uniform(*lv_range, (batch, dim))
        return mu, lv, gen.standard_normal((batch, dim))

    def cancellation(batch: int, dim: int) -> tuple[np.ndarray, ...]:
        mu, _, eps = random_case(batch, dim)
        mags = 10.0 ** gen.uniform(-8.0, np.log10(0.5), (batch, dim))
        return mu * 1e-3, gen.choice([-1.0, 1.0], (batch, dim)) * mags, eps

    mu_g, lv_g = (a.reshape(-1, 1) for a in np.meshgrid(_EDGE_MU, _EDGE_LV, indexing="ij"))
    eps_g = np.resize(np.array(_EDGE_EPS), mu_g.shape)
    raw = [
        ("batch 5, D 3", random_case(5, 3)),
        ("batch 1, D 1", random_case(1, 1)),
        ("edge values", (mu_g, lv_g, eps_g)),
        ("random 64 × 8", random_case(64, 8)),
        ("another random 64 × 8", random_case(64, 8)),
        ("small |logvar| (cancellation)", cancellation(40, 10)),
        ("large 300 × 12", random_case(300, 12)),
    ]
    cases = []
    for label, (mu, lv, eps) in raw:
        args = (mu, gaussian.param_from_logvar(lv, ctx.param)) + ((eps,) if with_eps else ())
        cases.append((label, args))
    return cases


def _shrink_args(with_eps: bool):
    def to_args(example: dict, ctx: Context) -> tuple:
        mu = np.array(example["mu"], dtype=np.float64)
        p = gaussian.param_from_logvar(np.array(example["lv"], dtype=np.float64), ctx.param)
        return (mu, p, np.array(example["eps"], dtype=np.float64)) if with_eps else (mu, p)

    return to_args


# -- gaussian-kl ---------------------------------------------------------------------------


def _kl_reference(args: tuple, ctx: Context) -> np.ndarray:
    return cf.reduce(gaussian.kl_standard_normal(args[0], args[1], ctx.param), ctx.reduction)


def _kl_tolerance(args: tuple, ctx: Context) -> np.ndarray:
    mu, p = (a.astype(np.float64) for a in args)
    lv = gaussian.logvar_from(p, ctx.param)
    batch, dim = mu.shape
    n_terms = dim + 4 + (batch if ctx.reduction != "none" else 0)
    with np.errstate(over="ignore"):
        size = np.sum(mu * mu + np.exp(lv) * (1.0 + np.abs(lv)) + 1.0 + np.abs(lv), axis=-1)
    return cf.reduce(K_ROUNDING * ctx.unit_roundoff * n_terms * size, ctx.reduction)


def _kl_mistakes(args: tuple, ctx: Context) -> list[diagnose.Mistake]:
    mu, p = (a.astype(np.float64) for a in args)
    per_example = gaussian.kl_standard_normal(mu, p, ctx.param)
    return cf.with_reductions(diagnose.kl_mistakes(mu, p, ctx.param), per_example, ctx)


def _kl_shape_words(got: np.ndarray, due: tuple, args: tuple, ctx: Context) -> str | None:
    mu, p = (a.astype(np.float64) for a in args)
    per_example = gaussian.kl_standard_normal(mu, p, ctx.param)
    per_term = 0.5 * (mu**2 + gaussian.expm1mx(gaussian.logvar_from(p, ctx.param)))
    return diagnose.describe_shape(got, due, mu.shape[0], per_term, per_example)


KL_SPEC = cf.ClosedForm(
    arg_names=lambda ctx: ("mu", ctx.param),
    cases=lambda ctx: _gaussian_cases(ctx, with_eps=False),
    due_shape=lambda args, ctx: args[0].shape[:1] if ctx.reduction == "none" else (),
    reference=_kl_reference,
    tolerance=_kl_tolerance,
    mistakes=_kl_mistakes,
    shape_words=_kl_shape_words,
    shrink_names=("mu", "lv"),
    shrink_ranges={"mu": MU_RANGE, "lv": LOGVAR_RANGE},
    shrink_args=_shrink_args(with_eps=False),
)

# -- reparam-sample ------------------------------------------------------------------------

_DZ_DP = {
    "logvar": lambda s, e: 0.5 * s * e,
    "log_std": lambda s, e: s * e,
    "std": lambda s, e: e,
    "var": lambda s, e: e / (2 * s),
}


def _sample_tolerance(args: tuple, ctx: Context) -> np.ndarray:
    mu, p, eps = (a.astype(np.float64) for a in args)
    lv = gaussian.logvar_from(p, ctx.param)
    with np.errstate(over="ignore", invalid="ignore"):
        spread = np.abs(gaussian.std_from(p, ctx.param) * eps)
    return K_ROUNDING * ctx.unit_roundoff * (np.abs(mu) + spread * (2.0 + np.abs(lv)))


def _sample_gradient(args: tuple, w: np.ndarray, ctx: Context) -> list[tuple]:
    _mu, p, eps = (a.astype(np.float64) for a in args)
    lv = gaussian.logvar_from(p, ctx.param)
    s = gaussian.std_from(p, ctx.param)
    with np.errstate(all="ignore"):
        dz_dp = _DZ_DP[ctx.param](s, eps)
    u = K_ROUNDING * ctx.unit_roundoff
    return [
        (w, u * np.abs(w)),
        (w * dz_dp, u * np.abs(w * dz_dp) * (2.0 + np.abs(lv))),
    ]


SAMPLE_SPEC = cf.ClosedForm(
    arg_names=lambda ctx: ("mu", ctx.param, "eps"),
    cases=lambda ctx: _gaussian_cases(ctx, with_eps=True),
    due_shape=lambda args, ctx: args[0].shape,
    reference=lambda args, ctx: gaussian.sample_diag(
        *(a.astype(np.float64) for a in args), ctx.param
    ),
    tolerance=_sample_tolerance,
    mistakes=lambda args, ctx: diagnose.sample_mistakes(
        *(a.astype(np.float64) for a in args), ctx.param
    ),
    shape_words=lambda got, due, args, ctx: None,
    shrink_names=("mu", "lv", "eps"),
    shrink_ranges={"mu": MU_RANGE, "lv": LOGVAR_RANGE, "eps": EPS_RANGE},
    shrink_args=_shrink_args(with_eps=True),
    gradient=cf.Gradient((0, 1), _sample_gradient),
    nondeterministic="draws its own random numbers instead of using eps",
)


def _properties(spec: cf.ClosedForm, *frameworks: str) -> tuple[str, ...]:
    """The property names as shown in docs (float64 NumPy; torch/jax add the gradient)."""
    names = [
        "runs and returns an array of the due shape",
        "returns the precision it was given (float64 or float32) or wider",
        "finite for finite inputs",
        "agrees with the reference within the dtype's rounding",
    ]
    if spec.gradient is not None:
        names.append("(torch, jax) gradients by autograd equal the exact ones")
    return (*names, "leaves its inputs unchanged", "deterministic: same inputs, same output")


kl = Target(
    name="gaussian-kl",
    summary="KL(N(μ, σ²) ‖ N(0, I)) per example, summed over the latent axis",
    signatures={"numpy": "IMPL(mu, p)", "torch": "IMPL(mu, p)", "jax": "IMPL(mu, p)"},
    returns="(batch,), or a scalar with --reduction sum | mean",
    reference="rtverify.gaussian.kl_standard_normal",
    run=lambda ctx: cf.judge(KL_SPEC, ctx),
    properties=_properties(KL_SPEC),
    options=("param", "reduction"),
)

reparam_sample = Target(
    name="reparam-sample",
    summary="the reparameterized sample z = μ + σ·ε from the given ε",
    signatures={
        "numpy": "IMPL(mu, p, eps)",
        "torch": "IMPL(mu, p, eps)",
        "jax": "IMPL(mu, p, eps)",
    },
    returns="z, (batch, D)",
    reference="rtverify.gaussian.sample_diag",
    run=lambda ctx: cf.judge(SAMPLE_SPEC, ctx),
    properties=_properties(SAMPLE_SPEC),
    options=("param",),
)

rsample = Target(
    statistical=True,
    name="rsample",
    summary="a sampler drawing its own noise: z ~ N(μ, σ²), reparameterized",
    signatures={
        "numpy": "IMPL(mu, p, rng)  (rng: numpy.random.Generator)",
        "torch": "IMPL(mu, p)  (torch's global generator, seeded by rtverify)",
        "jax": "IMPL(key, mu, p)",
    },
    returns="z, (batch, D)",
    reference="the law N(μ, σ²): (z − μ)/σ iid N(0, 1)",
    run=lambda ctx: judge_sampler(ctx, _DZ_DP),
    properties=(
        "runs and returns an array of shape (batch, D)",
        "returns the precision it was given or wider",
        "finite for finite inputs",
        "same seed, same z; another seed, another z",
        "(z − μ)/σ is N(0, 1): goodness of fit",
        "independent across batch rows, latent positions and calls",
        "(torch, jax) gradients by autograd: ∂z/∂μ = 1, ∂z/∂p exact",
        "leaves its inputs unchanged",
    ),
    options=("param",),
)

TARGETS = (kl, reparam_sample, rsample)
