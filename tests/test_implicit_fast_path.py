"""``rtverify.implicit``'s fast path decides the bulk of the laws without the 40-digit fallback.

The module's contract: ∂_θF by five-point central differences of SciPy's CDFs, accepted where two
step sizes agree to 1e-9, mpmath only where they do not (the tails, cancellation). In the bulk —
Gamma(α, 1) at α ∈ [0.7, 10], z ∈ [0.8, 6]; Beta(2, 3) at z ∈ [0.2, 0.8] — the two step sizes
agree, so a broken difference formula (both estimates wrong, and differently) shows as the
fallback being called: the values would stay right, the reference a hundred times slower.
Deterministic: a fixed grid, the fallback's calls counted.
"""

from __future__ import annotations

import numpy as np

from rtverify import implicit


def _counting(monkeypatch, name):
    calls = []
    original = getattr(implicit, name)

    def counted(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(implicit, name, counted)
    return calls


def test_gamma_bulk_derivatives_need_no_mpmath(monkeypatch):
    calls = _counting(monkeypatch, "gamma_cdf_dalpha_mp")
    z, alpha = np.broadcast_arrays(np.array([0.8, 1.5, 3.0, 6.0]), np.array([[0.7], [1.5], [10.0]]))
    out = implicit.gamma_cdf_dalpha(z, alpha)
    assert np.all(np.isfinite(out)) and calls == []


def test_beta_bulk_derivatives_need_no_mpmath(monkeypatch):
    calls = _counting(monkeypatch, "beta_cdf_dab_mp")
    da, db = implicit.beta_cdf_dab(np.linspace(0.2, 0.8, 7), 2.0, 3.0)
    assert np.all(np.isfinite(da)) and np.all(np.isfinite(db)) and calls == []
