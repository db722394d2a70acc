"""Planted-bug assertions in the statistical budget.

A planted bug is a wrong estimator a test shows to be rejected (``assert not outcome.passed``).
With fixed seeds the verdict is fixed, but the seed was one draw: the probability that such an
assertion would have failed the suite — the buggy estimator passing by chance, the *false pass*
— is 1 − power at the bug's effect. :func:`expect_rejected` computes it from the bug's exact
effect, records it in the ledger of ``rtverify.stats`` beside the α of the ordinary assertions
(so the end-of-run union bound covers both kinds of failure), requires it to be at most
``stats.ASSERTION_ALPHA`` (a planted bug the test detects with less power is not a
demonstration), and then asserts the rejection.

Power of a two-sided z-test at critical value c when the bug shifts the estimate by δ and
its standard error is ``se_bug`` (the test divides by ``se``):

    P(false pass) = Φ((c − δ/se)/(se_bug/se)) − Φ((−c − δ/se)/(se_bug/se)).
"""

from __future__ import annotations

import math
from statistics import NormalDist

from rtverify import stats

_N = NormalDist()


def false_pass_probability(delta: float, se: float, se_bug: float, critical: float) -> float:
    """P(|Z| ≤ c) for Z ~ N(δ/se, (se_bug/se)²): the chance the bug passes the test."""
    shift, ratio = delta / se, se_bug / se
    return _N.cdf((critical - shift) / ratio) - _N.cdf((-critical - shift) / ratio)


def expect_rejected(
    outcome: stats.TestOutcome, delta: float, *, se: float, se_bug: float | None = None
) -> float:
    """Assert that the test rejected a planted bug whose exact effect on the tested estimate
    is ``delta`` (standard error ``se`` as the test computes it, ``se_bug`` the estimate's true
    standard error under the bug; default ``se``); count its false-pass probability in the
    budget and return it."""
    p = false_pass_probability(delta, se, se if se_bug is None else se_bug, outcome.critical)
    stats.ledger.record(p)
    assert p <= stats.ASSERTION_ALPHA, (
        f"planted bug too weak to demonstrate: P(false pass) = {p:.1e} > "
        f"{stats.ASSERTION_ALPHA:.0e} ({outcome.what})"
    )
    assert not outcome.passed, f"planted bug not rejected: {outcome}"
    return p


def variance_se(var: float, mu4: float, n: int) -> float:
    """Standard error of the sample variance of n i.i.d. draws: √((μ₄ − σ⁴(n − 3)/(n − 1))/n)."""
    return math.sqrt((mu4 - var * var * (n - 3) / (n - 1)) / n)


def expect_failed(verdict: stats.Verdict, p_false_pass: float) -> float:
    """Assert that a calibrated test returning a :class:`rtverify.stats.Verdict` failed a planted
    bug that it passes with probability at most ``p_false_pass`` (computed by the caller from
    the bug's exact effect: an exact law, a DKWM bound, or :func:`false_pass_probability` for a
    z-like statistic); count that probability in the budget, as :func:`expect_rejected` does."""
    stats.ledger.record(p_false_pass)
    assert p_false_pass <= stats.ASSERTION_ALPHA, (
        f"planted bug too weak to demonstrate: P(false pass) = {p_false_pass:.1e} > "
        f"{stats.ASSERTION_ALPHA:.0e} ({verdict.what})"
    )
    assert verdict.failed, f"planted bug not rejected: {verdict}"
    return p_false_pass
