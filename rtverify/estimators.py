"""The two reference gradient estimators of ∇_{(μ,σ)} E_{z∼N(μ,σ²)}[f(z)], vectorised.

With z = μ + σε, ε ∼ N(0, 1), one sample of each estimator is a pair (∂/∂μ, ∂/∂σ):

- score function (REINFORCE; notes eq. (14)–(16), Q&A eq. (1)): f(z) ∇ log q(z) =
  f(z) · (ε/σ, (ε² − 1)/σ), since ∂_μ log q = (z − μ)/σ² and ∂_σ log q = ((z − μ)² − σ²)/σ³;
- pathwise (reparameterization; notes eq. (42)–(43), Q&A eq. (2)): ∇ f(μ + σε) =
  f'(z) · (1, ε).

Both are unbiased for smooth f; the pathwise one needs f' and Leibniz's rule (see
:mod:`rtverify.testfunctions`). :func:`score_samples` and :func:`pathwise_samples` have the
signature ``IMPL(f, df, mu, sigma, eps)`` of the ``rtverify check`` gradient contract.

:func:`repeated_means` computes many independent n-sample means at once in cache-sized blocks
with preallocated buffers (whole (reps, n) arrays fall out of cache and are slower than a loop);
row sums of products are BLAS dot (single rows ≤ 10⁴, single-threaded) or einsum reductions,
never materialised (n, 2) arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "BLOCK",
    "ESTIMATORS",
    "location_scale",
    "pathwise_samples",
    "repeated_means",
    "score_samples",
]

Fn = Callable[[np.ndarray], np.ndarray]
Estimator = Callable[[Fn, Fn, float, float, np.ndarray], np.ndarray]

#: Samples per block in :func:`repeated_means`: 2¹⁴ doubles = 128 KiB per buffer (fits L2).
BLOCK = 1 << 14


def location_scale(mu: float, sigma: float) -> tuple[float, float]:
    """(μ, σ) as floats; ``TypeError``/``ValueError`` unless μ is finite and σ finite > 0."""
    try:
        mu, sigma = float(mu), float(sigma)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"mu and sigma must be real scalars, not {mu!r}, {sigma!r}") from exc
    if not math.isfinite(mu) or not (math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"need finite mu and finite sigma > 0, got mu={mu}, sigma={sigma}")
    return mu, sigma


def _eps(eps: ArrayLike) -> NDArray[np.float64]:
    e = np.asarray(eps, dtype=np.float64)
    if e.ndim != 1:
        raise ValueError(f"eps must be one-dimensional, got shape {e.shape}")
    return e


def _apply(fn: Fn, z: np.ndarray, what: str) -> np.ndarray:
    if not callable(fn):
        raise TypeError(f"{what} must be callable, not {type(fn).__name__}")
    out = np.asarray(fn(z), dtype=np.float64)
    if out.shape != z.shape:
        raise ValueError(f"{what} must be elementwise: shape {out.shape} for input {z.shape}")
    return out


def score_samples(f: Fn, df: Fn | None, mu: float, sigma: float, eps: ArrayLike) -> np.ndarray:
    """Per-sample score-function estimates, shape (n, 2): f(z) · (ε/σ, (ε² − 1)/σ).

    ``df`` is unused (the score function estimator needs only f).
    """
    mu, sigma = location_scale(mu, sigma)
    e = _eps(eps)
    fz = _apply(f, mu + sigma * e, "f")
    out = np.empty((e.size, 2))
    np.multiply(fz, e, out=out[:, 0])
    np.multiply(out[:, 0], e, out=out[:, 1])
    out[:, 1] -= fz
    out /= sigma
    return out


def pathwise_samples(f: Fn | None, df: Fn, mu: float, sigma: float, eps: ArrayLike) -> np.ndarray:
    """Per-sample pathwise (reparameterization) estimates, shape (n, 2): f'(z) · (1, ε).

    ``f`` is unused (the pathwise estimator needs only f').
    """
    mu, sigma = location_scale(mu, sigma)
    e = _eps(eps)
    dfz = _apply(df, mu + sigma * e, "df")
    out = np.empty((e.size, 2))
    out[:, 0] = dfz
    np.multiply(dfz, e, out=out[:, 1])
    return out


#: Longest vector for BLAS ``dot``: OpenBLAS runs ``ddot`` single-threaded up to 10⁴ elements;
#: above, its threads can stall for milliseconds on a busy machine.
_DOT_MAX = 10_000


def _rowdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Σ_j a_ij b_ij for each row i, without a temporary: BLAS ``dot`` for one short row,
    else ``einsum``'s own SIMD loop."""
    if a.shape[0] == 1 and a.shape[1] <= _DOT_MAX:
        return np.array([np.dot(a[0], b[0])])
    return np.einsum("ij,ij->i", a, b)


def _score_sums(f, df, mu, sigma, e, z, tmp, want) -> list[np.ndarray | None]:
    """Row sums of the wanted score components for a block ε (rows = repetitions)."""
    fz = _apply(f, z, "f")
    s_mu = _rowdot(fz, e) / sigma if want[0] else None
    s_sigma = None
    if want[1]:
        np.multiply(e, e, out=tmp)
        s_sigma = (_rowdot(fz, tmp) - fz.sum(axis=1)) / sigma
    return [s_mu, s_sigma]


def _pathwise_sums(f, df, mu, sigma, e, z, tmp, want) -> list[np.ndarray | None]:
    """Row sums of the wanted pathwise components for a block ε (rows = repetitions)."""
    dfz = _apply(df, z, "df")
    return [dfz.sum(axis=1) if want[0] else None, _rowdot(dfz, e) if want[1] else None]


def _generic_sums(estimator: Estimator):
    def sums(f, df, mu, sigma, e, z, tmp, want):
        rows = [np.asarray(estimator(f, df, mu, sigma, row)) for row in e]
        return [np.array([r[:, c].sum() for r in rows]) if want[c] else None for c in (0, 1)]

    return sums


_KERNELS = {"score": _score_sums, "pathwise": _pathwise_sums}
#: The estimators :func:`repeated_means` runs through its fused kernels, by name.
ESTIMATORS: dict[str, Estimator] = {"score": score_samples, "pathwise": pathwise_samples}


def _kernel(estimator: str | Estimator):
    if isinstance(estimator, str):
        if estimator not in _KERNELS:
            raise ValueError(f"estimator must be one of {sorted(_KERNELS)} or callable")
        return _KERNELS[estimator]
    if callable(estimator):
        return _generic_sums(estimator)
    raise TypeError(f"estimator must be a name or callable, not {type(estimator).__name__}")


def repeated_means(
    estimator: str | Estimator | Sequence[str | Estimator],
    f: Fn | None,
    df: Fn | None,
    mu: float,
    sigma: float,
    n: int,
    reps: int,
    rng: np.random.Generator,
    *,
    component: int | None = None,
    block: int = BLOCK,
) -> np.ndarray:
    """``reps`` independent n-sample means of an estimator: shape (reps, 2), or (reps,) for
    one ``component`` (0 = ∂/∂μ, 1 = ∂/∂σ; the other is then not computed at all).

    Row r is (1/n) Σ_j g(ε_rj) for the estimator's per-sample g, with the ε drawn from ``rng``
    row after row (the result depends only on the generator's state, and on ``block`` only
    through rounding). ``estimator`` is ``"score"``, ``"pathwise"`` (fused blocked kernels) or
    any callable with the signature of :func:`score_samples` (called once per row and block).
    A sequence of estimators is run on the SAME ε (common random numbers: each estimator's
    rows stay i.i.d., the estimators become correlated); the result gets a leading axis.
    """
    paired = isinstance(estimator, (list, tuple))
    kernels = [_kernel(e) for e in (estimator if paired else (estimator,))]
    if not kernels:
        raise ValueError("need at least one estimator")
    mu, sigma = location_scale(mu, sigma)
    for value, what in ((n, "n"), (reps, "reps"), (block, "block")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{what} must be a positive integer, not {value!r}")
    if component not in (None, 0, 1):
        raise ValueError(f"component must be None, 0 (mu) or 1 (sigma), not {component!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator (e.g. rtverify.stats.rng(...))")
    want = (component in (None, 0), component in (None, 1))
    step = block if n <= block else -(-n // -(-n // min(block, _DOT_MAX)))  # equal blocks
    size = min(block, n * reps) if n <= block else step
    eps_buf, z_buf, tmp_buf = np.empty(size), np.empty(size), np.empty(size)
    sums = np.zeros((len(kernels), reps, 2))
    views: dict[tuple[int, int], tuple[np.ndarray, ...]] = {}

    def run(rows: int, m: int):
        if (rows, m) not in views:  # at most two shapes per call: full and last block
            views[rows, m] = tuple(
                b[: rows * m].reshape(rows, m) for b in (eps_buf, z_buf, tmp_buf)
            )
        e, z, tmp = views[rows, m]
        rng.standard_normal(out=e)
        if sigma == 1.0:
            np.add(e, mu, out=z)
        else:
            np.multiply(e, sigma, out=z)
            z += mu
        for k, kernel in enumerate(kernels):
            for c, s in enumerate(kernel(f, df, mu, sigma, e, z, tmp, want)):
                if s is not None:
                    yield k, c, s

    if n <= block:
        per_block = block // n
        for start in range(0, reps, per_block):
            rows = min(per_block, reps - start)
            for k, c, s in run(rows, n):
                sums[k, start : start + rows, c] = s
    else:
        for r in range(reps):
            for start in range(0, n, step):
                for k, c, s in run(1, min(step, n - start)):
                    sums[k, r, c] += s[0]
    means = sums / n
    if component is not None:
        means = means[..., component]
    return means if paired else means[0]
