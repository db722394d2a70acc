"""``rtverify audit torch|jax``: the libraries' own reparameterized samplers against the reference.

For each family and each parameter of a grid spanning 1e-3 … 1e5 (dense where float32
algorithms switch branches, and around the known torch Beta failure at a ≈ 2¹⁶ + 500), in each
dtype, with a fixed seed:

- **gradient**: on :data:`N_GRAD` samples, the library's per-sample autograd gradient against
  the implicit reparameterization gradient dz/dθ = −∂_θF/p at the *returned* z
  (:mod:`rtverify.implicit`). A sample conforms when its relative error is at most
  ``tol = max(TOL_ULPS · u · (1 + κ), REFERENCE_RTOL)``: u the unit roundoff of the dtype,
  κ = |z ∂_z log g(z)| the condition number of the reference gradient g with respect to the
  rounding of z (a faithful implementation computes g from a z and θ correct to u, so it cannot
  do better than u κ), and REFERENCE_RTOL the stated accuracy of the reference (it limits the
  float64 verdict). Samples flushed or clamped to an end of the support (z ≤ the smallest
  normal number, z ≥ the largest float below 1) are checked for finite gradients only: z does
  not determine their gradient (the true sample lies between the end and z).
- **non-finite**: on :data:`N_LAW` samples, any NaN or ±inf in a sample or a gradient fails; with
  none, the rate is below 3/n at 95 % confidence (rule of three), stated in the table.
- **law**: the Kolmogorov distance D_n of the N_LAW samples to the exact CDF (Beta marginals for
  the Dirichlet), each sample widened to its rounding interval. DKWM: P(D_n > ε) ≤ 2e^{−2nε²};
  with ε = √(log(2/α)/(2n)), α = :data:`LAW_ALPHA`, a correct sampler fails with probability
  ≤ α (false fail) and a sampler whose CDF is off by ≥ 2ε anywhere passes with probability ≤ α
  (false pass). Gumbel-softmax: τ log(y₀/y₁) − (l₀ − l₁) against the standard logistic CDF, the
  argmax frequencies against softmax(l) (binomial z-tests at α), and y on the simplex.

Rows of the table: family × dtype × decade of the first parameter, with the worst relative
error, the non-finite count and the verdict; each failure gets a one-line reproduction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from rtverify import implicit

__all__ = [
    "GRIDS",
    "Case",
    "CaseResult",
    "audit",
    "beta_reference",
    "boundary",
    "gamma_reference",
    "judge_gradients",
    "kolmogorov_distance",
]

#: Samples per grid point for the law and the non-finite rate.
N_LAW = 4000
#: Samples per grid point whose gradient is compared with the reference.
N_GRAD = 40
#: Tolerance in units of the dtype's unit roundoff, times (1 + κ).
TOL_ULPS = 256
#: Stated accuracy of the fast reference (tests/test_implicit_reference.py: FAST_VS_EXACT_RTOL).
REFERENCE_RTOL = 1e-8
#: False-fail (and false-pass, at distance 2ε) probability of each law test.
LAW_ALPHA = 1e-6
UNIT_ROUNDOFF = {"float32": 2.0**-24, "float64": 2.0**-53}

_DENSE = [1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 0.5, 0.79, 0.81, 0.99, 1.0, 1.01, 1.5, 2.0, 3.0]
_DENSE += [5.0, 7.9, 8.0, 8.1, 10.0, 30.0, 100.0, 300.0, 1e3, 1e4, 1e5]
_B = [1e-3, 0.1, 1.5, 10.0, 1e3, 1e5]
_A = [1e-3, 1e-2, 0.1, 0.5, 1.0, 2.0, 10.0, 100.0, 1e3, 1e4, 1e5]
#: (family, parameter tuple) per library; torch's float32 Beta bug sits at a ≈ 2¹⁶ + 500.
GRIDS = {
    "gamma": [(a,) for a in _DENSE],
    "chi2": [(2 * a,) for a in _DENSE[::2]],
    "beta": [(a, b) for a in _A for b in _B]
    + [(2.0**16 + d, 1.5) for d in (-500, 0, 250, 500, 750, 1000)],
    "dirichlet": [
        ((1e-3, 1e-3, 1e-3),),
        ((0.1, 1.0, 10.0),),
        ((1.0, 1.0, 1.0),),
        ((0.5, 2.0, 5.0),),
        ((100.0, 1.0, 0.01),),
        ((1e3, 1e3, 1e3),),
        ((1e5, 1.0, 1.0),),
        ((1e-3, 1.0, 1e5),),
    ],
    "gumbel-softmax": [((0.0, 1.0, -1.0), t) for t in (0.1, 0.5, 1.0, 2.0)],
}
FAMILIES = {"torch": ["gamma", "chi2", "beta", "dirichlet", "gumbel-softmax"]}
FAMILIES["jax"] = ["gamma", "beta", "dirichlet"]


@dataclass(frozen=True)
class Case:
    library: str
    family: str
    params: tuple
    dtype: str
    seed: int = 0


@dataclass
class CaseResult:
    case: Case
    max_rel_error: float = 0.0  # over compared, finite samples
    worst_excess: float = 0.0  # max over samples of error / tolerance
    nonfinite: int = 0
    n: int = 0
    law_distance: float = 0.0
    law_epsilon: float = 0.0
    verdict: str = "ok"
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Reference gradients and their condition numbers
# ---------------------------------------------------------------------------------------------


def _gamma_kappa(log_z, alpha, dlog):
    """|z ∂_z log g| for g = dz/dα, from ∂_z g = −∂_α log p − g ∂_z log p, in log z."""
    z = np.exp(log_z)
    return np.abs(-(log_z - special.digamma(alpha)) / dlog - (alpha - 1 - z))


def _beta_kappa(z, a, b, g, first):
    with np.errstate(divide="ignore", invalid="ignore"):
        score = (np.log(z) if first else np.log1p(-z)) - special.digamma(a if first else b)
        score = score + special.digamma(a + b)
        kappa = np.abs(-score * z / g - ((a - 1) - (b - 1) * z / (1 - z)))
    return np.where(np.isfinite(kappa), kappa, 0.0)


def gamma_reference(z, alpha) -> tuple[np.ndarray, np.ndarray]:
    """(dz/dα, κ) for z ∼ Gamma(α, 1); 0 at z = 0."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(divide="ignore"):
        log_z = np.log(np.where(z > 0, z, 1.0))
    dlog = implicit.gamma_dlog_dalpha(log_z, alpha)
    return np.where(z > 0, z * dlog, 0.0), _gamma_kappa(log_z, alpha, dlog)


def beta_reference(z, a, b) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{"a": (dz/da, κ), "b": (dz/db, κ)} for z ∼ Beta(a, b); 0 at z ∈ {0, 1}."""
    ga, gb = implicit.beta_grad(z, a, b)
    return {"a": (ga, _beta_kappa(z, a, b, ga, True)), "b": (gb, _beta_kappa(z, a, b, gb, False))}


def reference(case: Case, draw, idx) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{parameter: (reference gradient, κ)} at the samples ``idx`` of ``draw``."""
    z = draw.z[idx]
    p = case.params
    if case.family in ("gamma", "chi2"):
        a, scale = (p[0], 1.0) if case.family == "gamma" else (p[0] / 2, 0.5)
        return {"alpha" if case.family == "gamma" else "df": gamma_reference(z * scale, a)}
    if case.family == "beta" and draw.log_gammas is None:
        return beta_reference(z, *p)
    alpha = np.array(p[0] if case.family == "dirichlet" else p)
    if draw.log_gammas is None:  # torch Dirichlet: the Beta-marginal field
        jac = implicit.dirichlet_jacobian(z, alpha)
        rest = alpha.sum() - alpha
        kap = np.stack(
            [
                _beta_kappa(z[:, i], alpha[i], rest[i], jac[:, i, i], True)
                for i in range(len(alpha))
            ],
            -1,
        )
        return {"alpha": (jac, 1 + kap[:, :, None])}
    log_g = draw.log_gammas[idx]
    jac = implicit.dirichlet_jacobian_from_gammas(log_g, alpha)
    kap = 1 + _gamma_kappa(log_g, alpha, implicit.gamma_dlog_dalpha(log_g, alpha))
    if case.family == "beta":
        return {"a": (jac[:, 0, 0], kap[:, 0]), "b": (jac[:, 1, 0], kap[:, 1])}
    return {"alpha": (jac, kap[:, :, None])}


def judge_gradients(lib, ref, kappa, dtype: str, at_boundary=None):
    """(relative errors, error / tolerance) per entry; see the module notes for the tolerance.

    Checked for finiteness only: entries whose reference is 0 (a sample on the end of the
    support) or below the dtype's normal range (not representable to relative accuracy), and
    samples flushed or clamped to an end (``at_boundary``: z ≤ the smallest normal,
    or z ≥ the largest float below 1). Their true sample lies anywhere between the end and z, so
    z does not determine the gradient; there it tends to 0 (|dz/dθ| ~ z |log z|)."""
    u = UNIT_ROUNDOFF[dtype]
    tol = np.maximum(TOL_ULPS * u * (1 + kappa), REFERENCE_RTOL)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(lib - ref) / np.abs(ref)
    skip = np.abs(ref) < np.finfo(dtype).tiny  # 0 (an end) or below the normal range
    if at_boundary is not None:
        skip = skip | at_boundary
    rel = np.where(skip, 0.0, rel)
    rel = np.where(np.isfinite(lib), rel, np.inf)
    return rel, rel / tol


def boundary(z: np.ndarray, dtype: str, bounded: bool) -> np.ndarray:
    """Per sample: some coordinate is ≤ the smallest normal, or (support [0, 1], ``bounded``)
    ≥ the largest float below 1."""
    hit = z <= np.finfo(dtype).tiny
    if bounded:
        hit = hit | (z >= np.nextafter(np.ones(1, dtype), 0)[0])
    return hit.reshape(len(z), -1).any(1)


# ---------------------------------------------------------------------------------------------
# The law
# ---------------------------------------------------------------------------------------------


def kolmogorov_distance(z: np.ndarray, cdf, dtype: str, support=(0.0, math.inf)) -> float:
    """sup |F_n − F| with each sample widened to its rounding interval [z − s/2, z + s/2]
    (s = the dtype's spacing at z): the distance a correctly rounded sample can have is
    not counted against it. Flushing and clamping at the ends count as rounding: a sample at or
    below the smallest normal number stands for any value in [0, smallest normal] (XLA flushes
    subnormals to zero, torch clamps to the smallest normal), one at the largest float below 1
    (support [0, 1]) for any value in [z, 1] (torch clamps there)."""
    z = np.sort(z)
    n = len(z)
    half = np.spacing(np.abs(z).astype(dtype)).astype(np.float64) / 2
    lo, hi = support
    low, high = np.maximum(z - half, lo), np.minimum(z + half, hi)
    if lo == 0:  # flush-to-zero (XLA) or clamp (torch): any value in [0, smallest normal]
        tiny = np.finfo(dtype).tiny
        low = np.where(z <= tiny, 0.0, low)
        high = np.where(z <= tiny, np.maximum(high, tiny), high)
    if hi == 1:
        high = np.where(z >= np.nextafter(np.ones(1, dtype), 0)[0], 1.0, high)
    upper, lower = cdf(high), cdf(low)
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - upper), np.max(lower - (i - 1) / n), 0.0))


def _law(case: Case, z: np.ndarray) -> tuple[float, float]:
    """(D_n, ε) for the case; for the Dirichlet the largest over coordinates, ε at α/K."""
    p, n = case.params, len(z)
    k = z.shape[1] if z.ndim == 2 else 1
    eps = math.sqrt(math.log(2 * k / LAW_ALPHA) / (2 * n))
    if case.family == "gamma":
        return kolmogorov_distance(z, lambda t: special.gammainc(p[0], t), case.dtype), eps
    if case.family == "chi2":  # on z/2 ∼ Gamma(df/2) (exact in binary): clamps stay visible
        return kolmogorov_distance(z / 2, lambda t: special.gammainc(p[0] / 2, t), case.dtype), eps
    if case.family == "beta":
        cdf = lambda t: special.betainc(p[0], p[1], t)  # noqa: E731
        return kolmogorov_distance(z, cdf, case.dtype, (0.0, 1.0)), eps
    alpha = np.array(p[0])
    d = 0.0
    for i, a in enumerate(alpha):
        b = alpha.sum() - a
        cdf = lambda t, a=a, b=b: special.betainc(a, b, t)  # noqa: E731
        d = max(d, kolmogorov_distance(z[:, i], cdf, case.dtype, (0.0, 1.0)))
    return d, eps


def _relaxed(case: Case, draw, result: CaseResult) -> None:
    """Gumbel-softmax: simplex, logistic log-ratio, argmax law, gradients flow."""
    logits, tau = np.array(case.params[0]), case.params[1]
    y, n = draw.z, len(draw.z)
    if np.any(~np.isfinite(y)) or np.any(np.abs(y.sum(1) - 1) > 1e3 * UNIT_ROUNDOFF[case.dtype]):
        result.verdict = "off-simplex"
    with np.errstate(divide="ignore"):
        t = tau * (np.log(y[:, 0]) - np.log(y[:, 1])) - (logits[0] - logits[1])
    result.law_epsilon = math.sqrt(math.log(2 / LAW_ALPHA) / (2 * n))
    finite = t[np.isfinite(t)]
    result.law_distance = kolmogorov_distance(
        finite, special.expit, "float64", (-math.inf, math.inf)
    )
    probs = special.softmax(logits)
    counts = np.bincount(np.argmax(y, 1), minlength=len(logits))
    crit = -special.ndtri(LAW_ALPHA / 2)
    zs = (counts - n * probs) / np.sqrt(n * probs * (1 - probs))
    if result.law_distance > result.law_epsilon or np.any(np.abs(zs) > crit):
        result.verdict = "LAW"
    g = draw.grads["logits"]
    result.nonfinite = int(np.sum(~np.isfinite(g).all(1)))
    if result.nonfinite or not np.any(g != 0):
        result.verdict = "NON-FINITE" if result.nonfinite else "no gradient"


# ---------------------------------------------------------------------------------------------
# Running the audit
# ---------------------------------------------------------------------------------------------


def run_case(case: Case) -> CaseResult:
    """Draw N_LAW samples with their gradients; judge the law, the non-finite values, and the
    gradients of the first N_GRAD finite samples (and of every non-finite one)."""
    from rtverify.audit_samplers import SAMPLERS

    draw = SAMPLERS[(case.library, case.family)](*case.params, N_LAW, case.dtype, case.seed)
    result = CaseResult(case, n=N_LAW, notes=list(draw.notes))
    scale = 2 if case.family == "chi2" else 1
    clamped = int(np.sum(draw.z == scale * np.finfo(case.dtype).tiny))
    below_one = int(np.sum(draw.z == np.nextafter(np.ones(1, case.dtype), 0)[0]))
    if clamped:
        result.notes.append(f"{clamped} samples equal the smallest normal number (clamped)")
    if below_one and case.family in ("beta", "dirichlet"):
        result.notes.append(f"{below_one} samples equal the largest float below 1")
    if case.family == "gumbel-softmax":
        _relaxed(case, draw, result)
        return result
    per_sample = [np.isfinite(g).reshape(N_LAW, -1).all(1) for g in draw.grads.values()]
    finite = np.isfinite(draw.z).reshape(N_LAW, -1).all(1) & np.logical_and.reduce(per_sample)
    result.nonfinite = int(np.sum(~finite))
    idx = np.flatnonzero(finite)[:N_GRAD]
    bounded = case.family in ("beta", "dirichlet")
    edge = boundary(draw.z[idx] / (2 if case.family == "chi2" else 1), case.dtype, bounded)
    for name, (ref, kappa) in reference(case, draw, idx).items():
        at_edge = edge.reshape((-1,) + (1,) * (ref.ndim - 1))
        lib = draw.grads[name][idx]
        rel, excess = judge_gradients(
            lib, ref, kappa, case.dtype, np.broadcast_to(at_edge, ref.shape)
        )
        nonzero = (ref != 0) & ~at_edge  # the table's relative error: interior samples only
        if np.any(nonzero):
            result.max_rel_error = max(result.max_rel_error, float(np.max(rel[nonzero])))
        result.worst_excess = max(result.worst_excess, float(np.max(excess, initial=0.0)))
    result.law_distance, result.law_epsilon = _law(case, draw.z[finite])
    if result.nonfinite:
        result.verdict = "NON-FINITE"
    elif result.law_distance > result.law_epsilon:
        result.verdict = "LAW"
    elif result.worst_excess > 1:
        result.verdict = "inaccurate"
    return result


def audit(library: str, dtypes=("float32", "float64"), seed: int = 0) -> list[CaseResult]:
    """Every case of the library's grid, in each dtype."""
    return [
        run_case(Case(library, family, params, dtype, seed))
        for dtype in dtypes
        for family in FAMILIES[library]
        for params in GRIDS[family]
    ]
