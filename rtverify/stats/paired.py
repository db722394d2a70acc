"""A paired test of an estimator against the reference estimator on the same noise.

IMPL and the reference are run on the SAME ε. The reference's mean g is known exactly, so
E[IMPL] = g iff E[D] = 0 for D = IMPL − reference: the reference is a control variate that
removes most of the noise when IMPL is close to it. :func:`paired_test` decides, in order:

1. **Identity** (certain): |IMPL − ref| ≤ rtol·(|IMPL| + |ref|) + atol at every sample: IMPL is
   the reference up to rounding, hence unbiased. Pass, no statistics needed.
2. **Constant difference** (certain): the unit means d_i of D (one per i.i.d. unit, e.g. per
   call) all equal c within the same tolerance: c ≠ 0 is an additive bias of c (fail), c = 0
   means every call's mean agrees with the reference's (pass).
3. Otherwise :func:`rtverify.stats.robust_mean_test` of E[d] = 0 (calibrated α, or not judged
   when the tails of d are too heavy), and the smallest bias it detects with false-pass ≤ β.

Power of 3. A scaled bias IMPL = (1 + r)·ref gives D = r·ref: mean r·g and sd r·sd(ref), so
the z statistic is √n·g/sd(ref) whatever r — the sample size that detects it with power 1 − β,
n = ((z_{α/2} + z_β)·sd(ref)/|g|)² (:func:`rtverify.stats.sample_size_for_mean`), does not
shrink with r. A shift IMPL = ref + b is caught by 2 with certainty. Other differences need
n = ((z_{α/2} + z_β)·sd(d)/δ)² units to see a bias δ (:func:`rtverify.stats.min_detectable_bias`
is the inverse).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from rtverify.stats._verdict import FAIL, NOT_JUDGED, PASS, Verdict, as_samples
from rtverify.stats.robust import DEFAULT_FALSE_PASS, robust_mean_test

__all__ = ["IDENTITY_RTOL", "paired_test"]

#: Per-sample agreement that counts as identity in float64 (rounding of a few operations).
IDENTITY_RTOL = 1e-12


def paired_test(
    impl: object,
    reference: object,
    *,
    alpha: float,
    false_pass: float = DEFAULT_FALSE_PASS,
    rtol: float = IDENTITY_RTOL,
    atol: float = 0.0,
    scale: float | None = None,
    negligible: float = 0.0,
    what: str = "unbiased (paired with the reference)",
) -> Verdict:
    """Judge E[IMPL] = E[reference] from values on the same noise (see the module docstring).

    ``impl`` and ``reference`` have the same shape (units, ...): axis 0 indexes i.i.d. units
    (calls), trailing axes the samples of one unit (averaged into the unit's mean). ``scale``
    (e.g. |gradient|) turns biases into relative ones in the reason. ``negligible`` = τ ≥ 0: a
    bias |E[D]| ≤ τ (e.g. the rounding of a float32 IMPL, a few eps·|gradient|) is not a failure:
    the mean test is then of E[D] = ±τ on the side of the sample mean, so P(fail) ≤ α whenever
    |E[D]| ≤ τ."""
    a, why_a = as_samples(impl, 1)
    b, why_b = as_samples(reference, 1)
    if a is None or b is None or a.shape != b.shape:
        reason = (
            f"IMPL: {why_a}"
            if a is None
            else f"reference: {why_b}"
            if b is None
            else f"shapes differ: IMPL {a.shape}, reference {b.shape}"
        )
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
            "|bias|",
            "certain",
        )
    units = a.shape[0]
    tol = rtol * (np.abs(a) + np.abs(b)) + atol
    diff = a - b
    rel = (lambda v: f" ({v / scale:.3g} of |gradient|)") if scale else (lambda v: "")
    if np.all(np.abs(diff) <= tol):
        return Verdict(
            what,
            PASS,
            "equals the reference sample by sample (within rounding)",
            0.0,
            rtol,
            units,
            alpha,
            false_pass,
            0.0,
            "|bias|",
            "certain",
        )
    d = diff.reshape(units, -1).mean(axis=1)
    unit_tol = float(np.max(tol.reshape(units, -1).mean(axis=1)))
    centre = float(np.mean(d))
    if float(np.max(np.abs(d - centre))) <= unit_tol:
        if abs(centre) <= unit_tol:
            return Verdict(
                what,
                PASS,
                "each call's mean equals the reference's (rounding)",
                0.0,
                unit_tol,
                units,
                alpha,
                false_pass,
                0.0,
                "|bias|",
                "certain",
            )
        reason = f"IMPL − reference = {centre:.6g} in every call: an additive bias{rel(centre)}"
        return Verdict(
            what, FAIL, reason, centre, unit_tol, units, alpha, false_pass, 0.0, "|bias|", "certain"
        )
    if negligible < 0 or not math.isfinite(negligible):
        raise ValueError(f"negligible must be finite and >= 0, not {negligible}")
    target = math.copysign(min(negligible, abs(centre)), centre)
    verdict = robust_mean_test(d, target, alpha=alpha, false_pass=false_pass, what=what)
    if verdict.not_judged:
        return verdict
    reason = f"IMPL − reference: {verdict.reason}{rel(centre)}"
    if scale:
        reason += f"; detects a bias ≥ {verdict.detectable / scale:.2%} of |gradient|"
    return dataclasses.replace(verdict, reason=reason)
