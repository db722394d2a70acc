"""Numeric reference for implicit reparameterization gradients (Gamma, Beta, Dirichlet).

For a sample z with continuous, strictly increasing CDF F(z; θ), drawn by any method, the
implicit reparameterization gradient (Figurnov, Mohamed & Mnih 2018, eq. (5)) is

    dz/dθ = −∂_θF(z; θ) / p(z; θ),

derived in ``rtverify.derivations.implicit_reparam``. The families and their CDFs:

- Gamma(α, 1): F = P(α, z), the regularized lower incomplete gamma function; θ = α.
- Beta(a, b): F = I_z(a, b), the regularized incomplete beta function; θ = a and θ = b.
- Dirichlet(α): two pathwise gradients, both exact reparameterization gradients of the law
  (each a velocity field solving the continuity equation), but *different* per sample:

  * :func:`dirichlet_jacobian` -- the Beta-marginal (Rosenblatt) field used by torch: x_i moves
    by the Beta(α_i, α₀ − α_i) implicit gradient (α₀ − α_i held fixed), the other coordinates
    keep their proportions: ∂x_j/∂α_i = (δ_ij − x_j) · g_i with
    g_i = (dx_i/dα_i) / (1 − x_i). A function of x alone.
  * :func:`dirichlet_jacobian_from_gammas` -- normalised Gammas (JAX): x = G/S, S = ΣG,
    ∂x_j/∂α_i = (δ_ij − x_j) · (dG_i/dα_i) / S. Depends on the hidden Gammas, not only on x.

How ∂_θF is computed:

- :func:`gamma_cdf_dalpha_mp`, :func:`beta_cdf_dab_mp` (the exact reference): mpmath at
  :data:`DPS` digits. Gamma: ``mpmath.diff`` of ``mpmath.gammainc`` (the complement Q when
  P > ½, so nothing cancels). Beta: tanh-sinh quadrature of ∂_θ p = p ∂_θ log p over [0, z]
  (through I_z(a, b) = 1 − I_{1−z}(b, a) when z > ½), split at the mode and ±3, ±10 standard
  deviations, with t = w^{1/a} near 0 when a < 1.
- :func:`beta_cdf_dab` near the ends (max(1, b)·z ≤ ½, or the same at 1 − z): the series of
  I_z(a, b) differentiated term by term, with log B and ψ differences summed as Taylor series
  when one parameter dwarfs the other (the direct differences lose up to 8 digits at 1e-3/1e5).
- :func:`gamma_cdf_dalpha` for z ≤ :data:`SERIES_Z`: the series of P(α, z) differentiated term
  by term (no cancellation; in log z, so z may underflow), dz/dα = −z S/α.
- :func:`gamma_cdf_dalpha`, :func:`beta_cdf_dab` (fast, vectorised): a five-point central
  difference in θ of SciPy's CDF (the complement beyond the median), at steps h and h/2;
  where the two differ by more than :data:`FAST_RTOL` (relative), or the CDF underflows, the
  sample falls back to mpmath. Measured against mpmath in ``tests/test_implicit_reference.py``.

Samples that round to the end of the support: a float sample z = 0 (Gamma, Beta) or z = 1
(Beta) stands for a true value within one rounding unit of the end. There the exact gradient
tends to 0 (near 0, z ≈ (u·Γ(α+1))^{1/α} so dz/dα ≈ z (ψ(α+1) − log z)/α → 0; likewise for
1 − z), so the reference gradient at an end point is 0; :func:`end_point_bound` bounds it.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from scipy import special

__all__ = [
    "DPS",
    "FAST_RTOL",
    "SERIES_Z",
    "beta_cdf_dab",
    "beta_cdf_dab_mp",
    "beta_grad",
    "dirichlet_jacobian",
    "dirichlet_jacobian_from_gammas",
    "end_point_bound",
    "gamma_cdf_dalpha",
    "gamma_cdf_dalpha_mp",
    "gamma_dlog_dalpha",
    "gamma_grad",
    "log_beta",
]

#: Working precision (decimal digits) of the mpmath reference.
DPS = 40
#: The fast path is kept only where its two step sizes agree to this relative tolerance.
FAST_RTOL = 1e-9


# ---------------------------------------------------------------------------------------------
# Exact reference (mpmath)
# ---------------------------------------------------------------------------------------------


def gamma_cdf_dalpha_mp(z: float, alpha: float) -> mpmath.mpf:
    """∂P(α, z)/∂α at ``DPS`` digits (P the regularized lower incomplete gamma function)."""
    with mpmath.workdps(DPS):
        a, x = mpmath.mpf(alpha), mpmath.mpf(z)
        if x == 0:
            return mpmath.mpf(0)
        if mpmath.gammainc(a, 0, x, regularized=True) <= 0.5:
            return mpmath.diff(lambda s: mpmath.gammainc(s, 0, x, regularized=True), a)
        return -mpmath.diff(lambda s: mpmath.gammainc(s, x, mpmath.inf, regularized=True), a)


def _beta_pieces(lo, hi, a, b):
    """Split points of [lo, hi] at the mode and ±3, ±10 standard deviations of Beta(a, b)."""
    mean = a / (a + b)
    sd = mpmath.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    inner = [mean + k * sd for k in (-10, -3, 0, 3, 10)]
    return [lo, *sorted(p for p in inner if lo < p < hi), hi]


def _beta_left_mp(x, a, b):
    """(∂_aI_x, ∂_bI_x) = ∫₀^x p(t) (log t + ψ(a+b) − ψ(a), log(1 − t) + ψ(a+b) − ψ(b)) dt,
    tanh-sinh split at the bulk; t = w^{1/a} on [0, min(x, ½)] when a < 1."""
    log_b = mpmath.log(mpmath.beta(a, b))
    ca, cb = mpmath.digamma(a + b) - mpmath.digamma(a), mpmath.digamma(a + b) - mpmath.digamma(b)

    def both(t, weight):
        return weight * (mpmath.log(t) + ca), weight * (mpmath.log1p(-t) + cb)

    def density(t):
        return mpmath.exp((a - 1) * mpmath.log(t) + (b - 1) * mpmath.log1p(-t) - log_b)

    out, lo = [mpmath.mpf(0), mpmath.mpf(0)], mpmath.mpf(0)
    if a < 1:
        lo = min(x, mpmath.mpf("0.5"))

        def g(w, k):
            t = w ** (1 / a)
            return both(t, mpmath.exp((b - 1) * mpmath.log1p(-t) - log_b) / a)[k]

        out = [mpmath.quad(lambda w, k=k: g(w, k), [0, lo**a]) for k in (0, 1)]
    if lo < x:
        pieces = _beta_pieces(lo, x, a, b)
        out = [out[k] + mpmath.quad(lambda t, k=k: both(t, density(t))[k], pieces) for k in (0, 1)]
    return out[0], out[1]


def beta_cdf_dab_mp(z: float, a: float, b: float) -> tuple[mpmath.mpf, mpmath.mpf]:
    """(∂I_z(a, b)/∂a, ∂I_z(a, b)/∂b) at ``DPS`` digits, by quadrature of p ∂_θ log p over
    [0, z]; for z > ½ through I_z(a, b) = 1 − I_{1−z}(b, a) (1 − z exact). At 40 digits the
    cancellation between the signs of the score is harmless."""
    with mpmath.workdps(DPS):
        a, b, x = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(z)
        if x <= 0 or x >= 1:
            return mpmath.mpf(0), mpmath.mpf(0)
        if x <= 0.5:  # keeps the singular end (a < 1 at 0, b < 1 at 1) at the substitution
            return _beta_left_mp(x, a, b)
        d_b, d_a = _beta_left_mp(1 - x, b, a)
        return -d_a, -d_b


# ---------------------------------------------------------------------------------------------
# Fast path: central differences of SciPy's CDFs, checked against a second step size
# ---------------------------------------------------------------------------------------------


def _five_point(cdf, theta, h):
    """(−f(θ+2h) + 8f(θ+h) − 8f(θ−h) + f(θ−2h)) / 12h, truncation error O(h⁴)."""
    return (-cdf(theta + 2 * h) + 8 * cdf(theta + h) - 8 * cdf(theta - h) + cdf(theta - 2 * h)) / (
        12 * h
    )


def _difference(cdf, theta):
    """Derivative of ``cdf`` at ``theta`` and a mask of where the two step sizes agree."""
    h = 1e-3 * theta / (1 + np.sqrt(theta))  # the scale on which the laws change with θ
    coarse, fine = _five_point(cdf, theta, h), _five_point(cdf, theta, h / 2)
    good = np.isfinite(fine) & (np.abs(coarse - fine) <= FAST_RTOL * np.abs(fine)) & (fine != 0)
    return fine, good


def _as_arrays(*arrays):
    """Broadcast float64 copies, at least 1-d (the mpmath fallback indexes them)."""
    out = np.broadcast_arrays(*(np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in arrays))
    return [np.array(a) for a in out]


#: Below this z the Gamma derivative is summed from its series (no differences, no mpmath).
SERIES_Z = 0.5
_SERIES_TERMS = 60  # z^n/n! for z ≤ ½, n = 60: < 1e-100 of the first term


def _gamma_series(log_z, alpha) -> np.ndarray:
    """S = Σ_n c_n (log z − ψ(α + n + 1)), c_n = Π_{k≤n} z/(α + k), for z ≤ ½.

    From P(α, z) = z^α e^{−z} Σ_n z^n/Γ(α + n + 1): ∂_αP = z^α e^{−z}/Γ(α + 1) · S and
    dz/dα = −z S/α. Every term is negative for z ≤ ½ (log z ≤ −0.69 < ψ(α + 1) ≥ ψ(1) = −0.58),
    so nothing cancels; works in log z, so z may underflow."""
    z = np.exp(log_z)
    total = np.zeros_like(log_z)
    c = np.ones_like(log_z)
    for n in range(_SERIES_TERMS):
        if n:
            c = c * z / (alpha + n)
        total += c * (log_z - special.digamma(alpha + n + 1))
    return total


def gamma_cdf_dalpha(z, alpha) -> np.ndarray:
    """∂P(α, z)/∂α, vectorised: the series for z ≤ ½, else SciPy differences where they are
    accurate, mpmath elsewhere."""
    z, alpha = _as_arrays(z, alpha)
    small = z <= SERIES_Z
    if small.all():
        with np.errstate(divide="ignore"):
            log_z = np.log(z)
            lead = np.exp(alpha * log_z - z - special.gammaln(alpha + 1))
            return np.where(z > 0, lead * _gamma_series(log_z, alpha), 0.0)
    out = np.empty_like(z)
    out[small] = gamma_cdf_dalpha(z[small], alpha[small])
    z, alpha, big = z[~small], alpha[~small], out[~small]
    upper = special.gammainc(alpha, z) > 0.5
    lower_d, lower_ok = _difference(lambda s: special.gammainc(s, z), alpha)
    upper_d, upper_ok = _difference(lambda s: special.gammaincc(s, z), alpha)
    big = np.where(upper, -upper_d, lower_d)
    for i in map(tuple, np.argwhere(~np.where(upper, upper_ok, lower_ok))):
        big[i] = float(gamma_cdf_dalpha_mp(z[i], alpha[i]))
    out[~small] = big
    return out


def _shift_difference(f_derivatives, x, d, terms: int = 8):
    """f(x + d) − f(x) = Σ_k d^k/k! f^{(k)}(x) (Taylor), for 0 ≤ d ≤ x/100: no cancellation
    (the direct difference loses log10(x/d) digits). ``f_derivatives(k, x)`` is f^{(k)}."""
    total, power = np.zeros_like(x), np.ones_like(x)
    for k in range(1, terms + 1):
        power = power * d / k
        total = total + power * f_derivatives(k, x)
    return total


def _digamma_difference(x, d):
    """ψ(x + d) − ψ(x)."""
    taylor = d <= x / 100
    direct = special.digamma(x + d) - special.digamma(x)
    series = _shift_difference(lambda k, t: special.polygamma(k, t), x, np.where(taylor, d, 0))
    return np.where(taylor, series, direct)


def log_beta(a, b):
    """log B(a, b), accurate when one argument is ≪ the other (there log Γ(b + a) − log Γ(b)
    is summed as a Taylor series instead of subtracted)."""
    a, b = _as_arrays(a, b)
    small, big = np.minimum(a, b), np.maximum(a, b)
    taylor = small <= big / 100

    def derivative(k, t):  # (log Γ)^{(k)} = ψ^{(k−1)}
        return special.polygamma(k - 1, t)

    shift = _shift_difference(derivative, big, np.where(taylor, small, 0))
    return np.where(taylor, special.gammaln(small) - shift, special.betaln(a, b))


def _beta_series(z, a, b):
    """(∂_aI, ∂_bI) from I_z(a, b) = z^a/B(a, b) · Σ_n c_n/(a + n), c_n = (1 − b)_n zⁿ/n!,
    for max(1, b)·z ≤ ½ (the terms fall like (max(1, b) z)ⁿ: nothing cancels badly).

    ∂_aI = I (log z − ψ(a) + ψ(a + b)) − z^a/B Σ c_n/(a + n)²,
    ∂_bI = I (ψ(a + b) − ψ(b)) + z^a/B Σ ∂_b c_n/(a + n), with ∂_b c_n by recurrence."""
    lead = np.exp(a * np.log(z) - log_beta(a, b))
    c, dc = np.ones_like(z), np.zeros_like(z)
    s0, s1, s2 = 1 / a, 1 / a**2, np.zeros_like(z)
    for n in range(1, _SERIES_TERMS):
        c, dc = c * (n - b) * z / n, dc * (n - b) * z / n - c * z / n
        s0, s1, s2 = s0 + c / (a + n), s1 + c / (a + n) ** 2, s2 + dc / (a + n)
    total = lead * s0
    da = total * (np.log(z) + _digamma_difference(a, b)) - lead * s1
    db = total * _digamma_difference(b, a) + lead * s2
    return da, db


def beta_cdf_dab(z, a, b) -> tuple[np.ndarray, np.ndarray]:
    """(∂I_z/∂a, ∂I_z/∂b), vectorised: the series near 0 (and, by I_z(a, b) =
    1 − I_{1−z}(b, a), near 1), else SciPy differences where accurate, mpmath elsewhere."""
    z, a, b = _as_arrays(z, a, b)
    near0 = (z > 0) & (np.maximum(1, b) * z <= SERIES_Z)
    near1 = (z < 1) & (np.maximum(1, a) * (1 - z) <= SERIES_Z) & ~near0
    rest = ~(near0 | near1)
    da, db = np.zeros_like(z), np.zeros_like(z)
    da[near0], db[near0] = _beta_series(z[near0], a[near0], b[near0])
    swapped_a, swapped_b = _beta_series(1 - z[near1], b[near1], a[near1])
    da[near1], db[near1] = -swapped_b, -swapped_a
    if rest.any():
        da[rest], db[rest] = _beta_cdf_dab_difference(z[rest], a[rest], b[rest])
    return da, db


def _beta_cdf_dab_difference(z, a, b):
    upper = special.betainc(a, b, z) > 0.5
    da_lo, ok_a_lo = _difference(lambda s: special.betainc(s, b, z), a)
    da_up, ok_a_up = _difference(lambda s: special.betaincc(s, b, z), a)
    db_lo, ok_b_lo = _difference(lambda s: special.betainc(a, s, z), b)
    db_up, ok_b_up = _difference(lambda s: special.betaincc(a, s, z), b)
    da, db = np.where(upper, -da_up, da_lo), np.where(upper, -db_up, db_lo)
    inside = (z > 0) & (z < 1)
    ok = np.where(upper, ok_a_up & ok_b_up, ok_a_lo & ok_b_lo) & inside
    for i in map(tuple, np.argwhere(~ok & inside)):
        ga, gb = beta_cdf_dab_mp(z[i], a[i], b[i])
        da[i], db[i] = float(ga), float(gb)
    return np.where(inside, da, 0.0), np.where(inside, db, 0.0)


# ---------------------------------------------------------------------------------------------
# Gradients dz/dθ = −∂_θF / p
# ---------------------------------------------------------------------------------------------


def _ratio(d, log_p):
    """−d / exp(log_p) in log space (d and p may both underflow or overflow alone)."""
    with np.errstate(divide="ignore"):
        return -np.sign(d) * np.exp(np.log(np.abs(d)) - log_p)


def gamma_grad(z, alpha) -> np.ndarray:
    """dz/dα = −∂_αP(α, z) / p(z; α) for z ∼ Gamma(α, 1); 0 at z = 0 (see the module notes)."""
    z, alpha = _as_arrays(z, alpha)
    return z * gamma_dlog_dalpha(np.log(np.where(z > 0, z, 1.0)), alpha) * (z > 0)


def beta_grad(z, a, b) -> tuple[np.ndarray, np.ndarray]:
    """(dz/da, dz/db) = −(∂_aI, ∂_bI) / p(z; a, b) for z ∼ Beta(a, b); 0 at z ∈ {0, 1}."""
    z, a, b = _as_arrays(z, a, b)
    da, db = beta_cdf_dab(z, a, b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_p = (a - 1) * np.log(z) + (b - 1) * np.log1p(-z) - log_beta(a, b)
        ga, gb = _ratio(da, log_p), _ratio(db, log_p)
    inside = (z > 0) & (z < 1)
    return np.where(inside, ga, 0.0), np.where(inside, gb, 0.0)


def dirichlet_jacobian(x, alpha) -> np.ndarray:
    """J[..., i, j] = ∂x_j/∂α_i of the Beta-marginal field: (δ_ij − x_j) · g_i with
    g_i = (dx_i/dα_i)/(1 − x_i), dx_i/dα_i the Beta(α_i, α₀ − α_i) gradient in its first
    parameter (torch's ``_dirichlet_grad`` computes g)."""
    x, alpha = _as_arrays(x, alpha)
    rest = alpha.sum(-1, keepdims=True) - alpha
    dxi, _ = beta_grad(x, alpha, rest)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(x < 1, dxi / (1 - x), 0.0)
    eye = np.eye(x.shape[-1])
    return g[..., :, None] * (eye - x[..., None, :])


def dirichlet_jacobian_from_gammas(log_g, alpha) -> np.ndarray:
    """J[..., i, j] = ∂x_j/∂α_i for x = G/ΣG with G_k ∼ Gamma(α_k, 1) given as log G:
    (δ_ij − x_j) · (dG_i/dα_i)/S, S = ΣG."""
    log_g, alpha = _as_arrays(log_g, alpha)
    shift = log_g.max(-1, keepdims=True)
    scaled = np.exp(log_g - shift)  # G / e^shift, no overflow
    x = scaled / scaled.sum(-1, keepdims=True)
    dlog = gamma_dlog_dalpha(log_g, alpha)  # (dG/dα)/G
    weight = dlog * x  # (dG_i/dα_i)/S = (dG_i/dα_i / G_i) · x_i
    return weight[..., :, None] * (np.eye(x.shape[-1]) - x[..., None, :])


def gamma_dlog_dalpha(log_z, alpha) -> np.ndarray:
    """d log z/dα = −∂_αP / (z p) for z ∼ Gamma(α, 1) given as log z (z may underflow)."""
    log_z, alpha = _as_arrays(log_z, alpha)
    small = log_z <= np.log(SERIES_Z)
    out = np.empty_like(log_z)
    out[small] = -_gamma_series(log_z[small], alpha[small]) / alpha[small]
    z, a = np.exp(log_z[~small]), alpha[~small]
    with np.errstate(over="ignore"):
        log_zp = a * np.log(z) - z - special.gammaln(a)  # log(z p(z))
        out[~small] = _ratio(gamma_cdf_dalpha(z, a), log_zp)
    return out


def end_point_bound(alpha: float, tiny: float) -> float:
    """Bound on |dz/dα| for a Gamma(α, 1) sample that rounded to 0 (true z ≤ ``tiny``):
    |dz/dα| ≲ tiny · (|log tiny| + |ψ(α+1)|) / α (leading order of z ≈ (uΓ(α+1))^{1/α})."""
    return tiny * (abs(math.log(tiny)) + abs(float(special.digamma(alpha + 1)))) / alpha
