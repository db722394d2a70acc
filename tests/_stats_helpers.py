"""Exact binomial bounds for tests that count rejections over many seeds (each bound is one
statistical assertion at α = ``rtverify.stats.ASSERTION_ALPHA``, recorded in the ledger)."""

from __future__ import annotations

from scipy.stats import binom

from rtverify import stats


def binomial_upper(trials: int, p: float, alpha: float = stats.ASSERTION_ALPHA) -> int:
    """The count a Binomial(trials, p) exceeds with probability ≤ alpha (exact, scipy)."""
    stats.ledger.record(alpha)
    return int(binom.isf(alpha, trials, p))


def binomial_lower(trials: int, p: float, alpha: float = stats.ASSERTION_ALPHA) -> int:
    """The count a Binomial(trials, p) falls below with probability ≤ alpha (exact, scipy)."""
    stats.ledger.record(alpha)
    return int(binom.ppf(alpha, trials, p)) - 1
