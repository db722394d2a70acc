"""Independence of standardized draws x of shape (calls, batch, D), with both error rates stated.

**Identical slices** (:func:`identical_slices_test`): two batch rows, two latent positions or two
calls that are exactly equal — noise shared where it must be fresh, a certain bug: under a
continuous law the probability is 0, and after rounding to a grid it is tiny. If one value
equals a given grid point with probability ≤ p (:func:`tie_probability`), two independent
slices of L values coincide with probability ≤ p^L, so the number N of coinciding pairs among
m slices has E[N] ≤ C(m, 2)·p^L =: E₀, and Markov's inequality gives P(N ≥ k) ≤ E₀/k. The test
fails when N ≥ k = max(1, ⌈E₀/α⌉): a **bound**, false-fail ≤ α. It detects any sharing that
makes ≥ k pairs coincide (all rows of a call shared: C(batch, 2) pairs per call).

**Correlation** (:func:`correlation_test`): Pearson's r over n independent pairs;
t = r √((n − 2)/(1 − r²)) ∼ t_{n−2} **exactly** when the pairs are independent normals with
ρ = 0. Fail when |t| > t_{n−2, 1−α/2}. Power (Fisher's z, asymptotic): detects
|ρ| ≥ tanh((z_{α/2} + z_β)/√(n − 3)) with false-pass ≤ β. Pairs are disjoint (rows 0–1, 2–3,
…), so they are independent under the null and the law is exact.

:func:`independence_tests` runs the six tests (identical rows, positions, calls; correlation of
neighbouring rows, positions, calls) at α/6 each (union bound).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import t as student_t

from rtverify.stats._core import z_critical
from rtverify.stats._verdict import FAIL, NOT_JUDGED, PASS, Verdict, as_samples

__all__ = [
    "correlation_test",
    "identical_slices_test",
    "independence_tests",
    "tie_probability",
]

DEFAULT_FALSE_PASS = 1e-3
#: sup_x x·φ(x) = φ(1) ≈ 0.242, rounded up: bounds P(one value rounds to a given float).
_XPHI = 0.25
#: φ(0) ≈ 0.399, rounded up: bounds the N(0, 1) density.
_PHI0 = 0.4


def tie_probability(dtype: object = np.float64, resolution: float = 0.0) -> float:
    """An upper bound p on P(X rounds to a given grid point) for X ∼ N(0, 1).

    Floats of ``dtype`` near x are spaced ≤ eps·|x| apart, and a round-to-nearest cell around
    x has mass ≤ φ(x)·eps·|x|·(1 + eps) ≤ 0.25·eps. When the standardized values were computed
    from a coarser grid (z = μ + σε stored in float32 with |μ| ≫ σ: spacing eps·|μ|/σ in ε
    units), pass that absolute ``resolution``: p ≤ 0.4·resolution + 0.25·eps."""
    eps = float(np.finfo(np.dtype(dtype)).eps)
    if not resolution >= 0.0:
        raise ValueError(f"resolution must be >= 0, not {resolution}")
    return min(1.0, _XPHI * eps + _PHI0 * float(resolution))


def _tied_pairs(items: np.ndarray) -> int:
    """Σ_g C(c_g, 2) over groups of identical rows of a 2-D array (−0.0 counted as 0.0)."""
    if items.shape[0] < 2:
        return 0
    _, counts = np.unique(items + 0.0, axis=0, return_counts=True)
    return int(np.sum(counts * (counts - 1) // 2))


def identical_slices_test(
    groups: list[np.ndarray] | np.ndarray,
    *,
    alpha: float,
    tie_prob: float,
    what: str = "no identical slices",
) -> Verdict:
    """Fail when the number N of exactly equal pairs of slices reaches k = max(1, ⌈E₀/α⌉).

    ``groups``: 2-D arrays (m slices × L values each, or a 3-D stack of them); pairs are counted
    within each group. E₀ = Σ C(m, 2)·p^L with p = ``tie_prob`` (:func:`tie_probability`).
    False-fail ≤ α by Markov's inequality (a bound)."""
    stack = [np.asarray(g, dtype=np.float64) for g in groups]
    if not stack or stack[0].ndim != 2 or stack[0].shape[0] < 2:
        return Verdict(
            what,
            NOT_JUDGED,
            "fewer than two slices to compare",
            math.nan,
            math.nan,
            0,
            alpha,
            DEFAULT_FALSE_PASS,
            math.nan,
            "tied pairs",
            "bound",
        )
    m, length = stack[0].shape
    pairs = len(stack) * m * (m - 1) // 2
    expected = pairs * tie_prob**length
    k = max(1, math.ceil(expected / alpha))
    tied = sum(_tied_pairs(g) for g in stack)
    status = FAIL if tied >= k else PASS
    reason = f"{tied} of {pairs} pairs identical"
    if status == FAIL:
        reason += f" (≥ {k}: shared noise; a chance tie has probability ≤ {tie_prob:.1e}^{length})"
    return Verdict(
        what,
        status,
        reason,
        float(tied),
        float(k),
        pairs,
        alpha,
        0.0,
        float(k),
        "identical pairs",
        "bound",
    )


def correlation_test(
    x: object,
    y: object,
    *,
    alpha: float,
    false_pass: float = DEFAULT_FALSE_PASS,
    what: str = "uncorrelated",
) -> Verdict:
    """Pearson r over pairs (x_i, y_i); fail when |r|·√((n−2)/(1−r²)) > t_{n−2, 1−α/2} (exact
    for independent normal pairs). ``threshold`` is the critical |r|."""
    measure = "|ρ|"
    xs, why = as_samples(x, 1)
    ys, why_y = as_samples(y, 1)
    if xs is None or ys is None or xs.size != ys.size or xs.size < 4:
        reason = why or why_y or f"need two equal samples of ≥ 4, got {np.size(x)}, {np.size(y)}"
        return Verdict(
            what,
            NOT_JUDGED,
            reason,
            math.nan,
            math.nan,
            0,
            alpha,
            false_pass,
            math.nan,
            measure,
            "exact",
        )
    xs, ys = xs.ravel(), ys.ravel()
    n = xs.size
    xc, yc = xs - xs.mean(), ys - ys.mean()
    denom = math.sqrt(float(np.dot(xc, xc)) * float(np.dot(yc, yc)))
    if denom == 0.0:
        return Verdict(
            what,
            NOT_JUDGED,
            "a constant sample: correlation undefined",
            math.nan,
            math.nan,
            n,
            alpha,
            false_pass,
            math.nan,
            measure,
            "exact",
        )
    r = max(-1.0, min(1.0, float(np.dot(xc, yc)) / denom))
    tc = float(student_t.isf(alpha / 2, n - 2))
    r_crit = tc / math.sqrt(n - 2 + tc * tc)
    status = FAIL if abs(r) > r_crit else PASS
    detect = math.tanh(
        (z_critical(alpha) + z_critical(false_pass, two_sided=False)) / math.sqrt(n - 3)
    )
    return Verdict(
        what,
        status,
        f"r = {r:.3g} over {n} pairs",
        r,
        r_crit,
        n,
        alpha,
        false_pass,
        detect,
        measure,
        "exact",
    )


def _pairs(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint neighbours along ``axis``: slices 0, 2, 4, … against 1, 3, 5, …"""
    m = x.shape[axis] // 2 * 2
    idx = np.arange(m)
    return np.take(x, idx[0::2], axis=axis), np.take(x, idx[1::2], axis=axis)


def independence_tests(
    x: object,
    *,
    alpha: float,
    false_pass: float = DEFAULT_FALSE_PASS,
    tie_prob: float | None = None,
) -> tuple[Verdict, ...]:
    """Six tests on standardized draws of shape (calls, batch, D), each at α/6: identical batch
    rows, latent positions, calls; correlation of neighbouring rows, positions and calls.

    ``tie_prob`` defaults to :func:`tie_probability` for float64 values; pass the bound for the
    grid the draws really lie on (float32 samplers, |μ| ≫ σ)."""
    names = ("batch rows", "latent positions", "calls")
    a = float(alpha) / 6.0
    arr, why = as_samples(x, 1)
    if arr is not None and arr.ndim != 3:
        arr, why = None, f"need shape (calls, batch, D), got {arr.shape}"
    if arr is None:
        return tuple(
            Verdict(
                f"{kind} {name}",
                NOT_JUDGED,
                why,
                math.nan,
                math.nan,
                0,
                a,
                false_pass,
                math.nan,
                "",
                "exact",
            )
            for kind in ("no identical", "independent")
            for name in names
        )
    p = tie_probability() if tie_prob is None else float(tie_prob)
    calls, batch, dim = arr.shape
    slices = (arr, np.swapaxes(arr, 1, 2), arr.reshape(1, calls, batch * dim))
    out = [
        identical_slices_test(s, alpha=a, tie_prob=p, what=f"no identical {name}")
        for s, name in zip(slices, names, strict=True)
    ]
    for axis, name in zip((1, 2, 0), names, strict=True):
        if arr.shape[axis] < 2 or arr.size // arr.shape[axis] * (arr.shape[axis] // 2) < 4:
            out.append(
                Verdict(
                    f"independent {name}",
                    NOT_JUDGED,
                    f"fewer than two {name}",
                    math.nan,
                    math.nan,
                    0,
                    a,
                    false_pass,
                    math.nan,
                    "|ρ|",
                    "exact",
                )
            )
            continue
        u, v = _pairs(arr, axis)
        out.append(
            correlation_test(
                u, v, alpha=a, false_pass=false_pass, what=f"independent {name} (neighbours)"
            )
        )
    return tuple(out)
