"""KL between two diagonal Gaussians (``gaussian.kl_diag_pair``) against mpmath, every
parameterization, over logvar_q, logvar_p ∈ [−30, 30] and |μ| ≤ 1e3.

Reference: ½ Σ_d [σ_q²/σ_p² + (μ_q − μ_p)²/σ_p² − 1 − log(σ_q²/σ_p²)] evaluated from the exact
float inputs in mpmath with 50 digits beyond those lost to the cancellation 1 − 1 at σ_q ≈ σ_p.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtverify import gaussian as G

#: Largest relative error allowed against mpmath (measured worst: see the report in the test).
RTOL = 1e-14
logvars = st.floats(-30.0, 30.0, allow_subnormal=False)
means = st.floats(-1e3, 1e3, allow_subnormal=False)


def _from_logvar(lv: float, param: str) -> float:
    """The float parameter of a Gaussian with log σ² ≈ lv (rounded as code would hold it)."""
    return {"logvar": lv, "log_std": lv / 2, "std": math.exp(lv / 2), "var": math.exp(lv)}[param]


def _var_mp(p: float, param: str) -> mpmath.mpf:
    p = mpmath.mpf(p)
    return {"logvar": mpmath.exp(p), "log_std": mpmath.exp(2 * p), "std": p * p, "var": p}[param]


def kl_mpmath(mu_q, p_q, mu_p, p_p, param: str) -> mpmath.mpf:
    """½ Σ_d [r + (μ_q − μ_p)²/σ_p² − 1 − log r], r = σ_q²/σ_p², with adaptive precision."""
    total = mpmath.mpf(0)
    for mq, pq, mp_, pp in zip(mu_q, p_q, mu_p, p_p, strict=True):
        with mpmath.workdps(40):
            t = mpmath.log(_var_mp(pq, param) / _var_mp(pp, param))
        lost = int(-mpmath.log10(abs(t))) + 2 if 0 < abs(t) < 1 else 0
        with mpmath.workdps(50 + 2 * lost):
            vq, vp = _var_mp(pq, param), _var_mp(pp, param)
            r = vq / vp
            d = mpmath.mpf(mq) - mpmath.mpf(mp_)
            total += (r - 1 - mpmath.log(r) + d * d / vp) / 2
    return total


#: Below this a float64 result may underflow to 0 (μ differences of 1e-160 square to 1e-320).
TINY = 1e-300


def _relative_error(value: float, reference: mpmath.mpf) -> float:
    if abs(reference) < TINY:
        return 0.0 if abs(value) < TINY else math.inf
    return float(abs((mpmath.mpf(value) - reference) / reference))


@pytest.mark.parametrize("param", G.PARAMETERIZATIONS)
@given(
    st.lists(st.tuples(means, logvars, means, logvars), min_size=1, max_size=4),
    st.sampled_from([1.0, 1e-3, 1e-9]),
)
def test_kl_pair_matches_mpmath_for_every_parameterization(param, coords, closeness):
    """closeness shrinks the differences (μ_q − μ_p, lv_q − lv_p) towards the cancelling case."""
    mu_p = [c[2] for c in coords]
    lv_p = [c[3] for c in coords]
    mu_q = [m + closeness * (c[0] - m) for c, m in zip(coords, mu_p, strict=True)]
    lv_q = [v + closeness * (c[1] - v) for c, v in zip(coords, lv_p, strict=True)]
    p_q = [_from_logvar(v, param) for v in lv_q]
    p_p = [_from_logvar(v, param) for v in lv_p]
    value = float(G.kl_diag_pair([mu_q], [p_q], [mu_p], [p_p], param)[0])
    reference = kl_mpmath(mu_q, p_q, mu_p, p_p, param)
    assert _relative_error(value, reference) <= RTOL, (value, reference)


@pytest.mark.parametrize("param", G.PARAMETERIZATIONS)
def test_kl_pair_is_accurate_on_a_grid_spanning_the_whole_domain(param):
    """Every (lv_q, lv_p) pair of a 13 × 13 grid over [−30, 30]², plus near-equal pairs, at
    μ differences 0, 1e-3 and 1e3 — the corners where the naive formula loses all digits."""
    grid = np.linspace(-30.0, 30.0, 13)
    lvq, lvp = np.meshgrid(grid, grid)
    lvq = np.concatenate([lvq.ravel(), grid, grid]).tolist()
    lvp = np.concatenate([lvp.ravel(), grid + 1e-12, grid * (1 + 1e-9)]).tolist()
    worst = 0.0
    for dmu in (0.0, 1e-3, 1e3):
        for a, b in zip(lvq, lvp, strict=True):
            pq, pp = _from_logvar(a, param), _from_logvar(b, param)
            value = float(G.kl_diag_pair([[dmu]], [[pq]], [[0.0]], [[pp]], param)[0])
            worst = max(worst, _relative_error(value, kl_mpmath([dmu], [pq], [0.0], [pp], param)))
    assert worst <= RTOL, worst


def test_kl_pair_is_the_same_number_in_every_parameterization():
    """One distribution pair, four encodings of its variances: the KLs agree to 1e-13."""
    rng = np.random.default_rng(11)
    mu_q, mu_p = rng.normal(size=(2, 5, 3))
    lv_q, lv_p = rng.uniform(-5, 5, size=(2, 5, 3))
    values = [
        G.kl_diag_pair(
            mu_q, np.vectorize(_from_logvar)(lv_q, k), mu_p, np.vectorize(_from_logvar)(lv_p, k), k
        )
        for k in G.PARAMETERIZATIONS
    ]
    for v in values[1:]:
        np.testing.assert_allclose(v, values[0], rtol=1e-13)


def test_kl_pair_names_its_argument_order_kl_q_to_p():
    """KL(N(0, 1) ‖ N(0, e²)) = ½(e⁻² − 1 + 2) ≠ KL(N(0, e²) ‖ N(0, 1)) = ½(e² − 1 − 2)."""
    forward = float(G.kl_diag_pair([[0.0]], [[0.0]], [[0.0]], [[2.0]])[0])
    backward = float(G.kl_diag_pair([[0.0]], [[2.0]], [[0.0]], [[0.0]])[0])
    assert forward == pytest.approx(0.5 * (math.exp(-2) + 1), rel=1e-15)
    assert backward == pytest.approx(0.5 * (math.exp(2) - 3), rel=1e-15)


def test_kl_pair_with_a_standard_normal_prior_is_kl_standard_normal():
    rng = np.random.default_rng(12)
    mu, lv = rng.normal(size=(2, 4, 6))
    np.testing.assert_allclose(
        G.kl_diag_pair(mu, lv, 0.0, 0.0), G.kl_standard_normal(mu, lv), rtol=1e-15
    )


@pytest.mark.parametrize("param", ["std", "var"])
@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_kl_pair_rejects_a_non_positive_scale_with_a_message(param, bad):
    with pytest.raises(ValueError, match="must be positive"):
        G.kl_diag_pair([[0.0]], [[bad]], [[0.0]], [[1.0]], param)


def test_kl_pair_rejects_an_unknown_parameterization():
    with pytest.raises(ValueError, match="param must be one of"):
        G.kl_diag_pair([[0.0]], [[1.0]], [[0.0]], [[1.0]], "sigma")
