"""The check's rounding bounds are tight: an error far above float64 rounding is not rounding.

Each closed-form target accepts a correct float64 IMPL within K·u·(terms)·(size of the terms),
K = ``K_ROUNDING`` = 4, u = 2⁻⁵³ (see the targets' docstrings): a few hundred ulp of the sizes
at most. An IMPL whose every output is off by a relative 1e-12 (≈ 4500 ulp of the output) has no
rounding excuse and must not conform; a bound 10⁴× too loose (the mistake this guards against:
K = 40 000, or an extra factor of the size) would let it through, since 4e4·u ≈ 4.4e-12 exceeds
1e-12. Deterministic: no statistical test is involved (the false-alarm probability is 0).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from rtverify import gaussian, mvn
from rtverify.check import check

REL = 1e-12  # ≈ 4500 ulp of float64: far above rounding, far below any diagnosis threshold


def scaled(reference, *args):
    """The reference's output times (1 + 1e-12): module level, so the judge can load it."""
    return np.asarray(reference(*args), dtype=np.float64) * (1.0 + REL)


CASES = [
    ("gaussian-kl", gaussian.kl_standard_normal),
    ("gaussian-kl-pair", gaussian.kl_diag_pair),
    ("reparam-sample", gaussian.sample_diag),
    ("mvn-kl", mvn.mvn_kl),
    ("mvn-log-prob", mvn.mvn_log_prob),
    ("mvn-rsample", mvn.mvn_rsample),
]


@pytest.mark.parametrize(("target", "reference"), CASES, ids=[c[0] for c in CASES])
def test_a_float64_impl_off_by_4500_ulp_does_not_conform(target, reference):
    exact = check(target, reference)
    assert exact.ok, exact.render()
    report = check(target, functools.partial(scaled, reference))
    assert not report.ok and report.exit_code == 1, report.render()
    assert report.n_statistical_tests == 0  # a rounding verdict, not a statistical one


def kl_off_where_large(mu, logvar):
    """Exact where KL < 100, off by a relative 1e-12 (≈ 4500 ulp) where it is larger."""
    kl = gaussian.kl_standard_normal(mu, logvar)
    return np.where(kl < 100.0, kl, kl * (1.0 + REL))


def test_the_kl_bound_is_tight_for_large_kls_too():
    # a bound that grows faster than the size of the terms (e.g. with its square) would let a
    # large KL carry thousands of ulp of error while small ones stay exact
    report = check("gaussian-kl", kl_off_where_large)
    assert not report.ok and report.exit_code == 1, report.render()
