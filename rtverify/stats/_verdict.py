"""The result of one calibrated test: :class:`Verdict`, with both error rates stated.

A verdict is ``pass``, ``fail`` or ``not judged`` (with the reason). Beside the statistic and the
threshold it carries the false-alarm rate α (P(fail) when the null holds), the false-pass rate β
of its power statement and ``detectable``: the smallest discrepancy (in the unit ``measure``) it
detects with probability ≥ 1 − β at this n (TFP ``statistical_testing``: ``min_discrepancy_*``).
``law`` says how α holds: ``exact`` (the null law of the statistic is exact), ``bound``
(a rigorous inequality, α is an upper bound), ``asymptotic`` or ``calibrated`` (measured).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rtverify.stats._core import ledger

__all__ = ["FAIL", "NOT_JUDGED", "PASS", "Verdict", "as_samples"]

PASS, FAIL, NOT_JUDGED = "pass", "fail", "not judged"
_LAWS = ("exact", "bound", "asymptotic", "calibrated", "certain")


@dataclass(frozen=True)
class Verdict:
    """One test's verdict (see the module docstring)."""

    __test__ = False  # not a pytest test class

    what: str
    status: str  # PASS, FAIL or NOT_JUDGED
    reason: str
    statistic: float
    threshold: float  # fail when the statistic exceeds it (in the sense the reason states)
    n: int
    alpha: float
    false_pass: float  # β of the power statement
    detectable: float  # smallest discrepancy detected with probability ≥ 1 − β (nan: none)
    measure: str  # what ``detectable`` measures, e.g. "|E[X] − m0|"
    law: str  # exact, bound, asymptotic, calibrated or certain

    def __post_init__(self) -> None:
        if self.status not in (PASS, FAIL, NOT_JUDGED):
            raise ValueError(f"status must be pass, fail or not judged, not {self.status!r}")
        if self.law not in _LAWS:
            raise ValueError(f"law must be one of {_LAWS}, not {self.law!r}")

    @property
    def passed(self) -> bool:
        return self.status == PASS

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    @property
    def not_judged(self) -> bool:
        return self.status == NOT_JUDGED

    def power_statement(self) -> str:
        """'detects <measure> ≥ d with false-pass ≤ β' (or why it states none)."""
        if not math.isfinite(self.detectable):
            return "no power statement at this n"
        if self.false_pass == 0.0:
            return f"detects {self.measure} ≥ {self.detectable:.3g} with certainty"
        return (
            f"detects {self.measure} ≥ {self.detectable:.3g} "
            f"with false-pass ≤ {self.false_pass:.0e}"
        )

    def describe(self) -> str:
        """One line: verdict, statistic against threshold, n, α (and how it holds), power."""
        head = f"{self.what}: {self.status}"
        if self.reason:
            head += f" ({self.reason})"
        if self.not_judged:
            return f"{head}; n = {self.n}, α = {self.alpha:.1e}"
        return (
            f"{head}; statistic {self.statistic:.4g} vs threshold {self.threshold:.4g}, "
            f"n = {self.n}, α = {self.alpha:.1e} ({self.law}); {self.power_statement()}"
        )

    __str__ = describe

    def check(self) -> Verdict:
        """Record the assertion in the ledger; raise ``AssertionError`` unless it passed."""
        ledger.record(self.alpha)
        if not self.passed:
            raise AssertionError(self.describe())
        return self


def as_samples(values: object, minimum: int) -> tuple[np.ndarray | None, str]:
    """``values`` as a float64 array (shape kept), or ``None`` and the reason it cannot be judged:
    not numeric, complex, fewer than ``minimum`` values (along the first axis), or not finite."""
    try:
        x = np.asarray(values)
    except Exception as exc:  # a ragged list, an object whose __array__ raises: not judged
        return None, f"not an array: {type(exc).__name__}: {exc}"
    if x.dtype.kind == "c":
        return None, f"complex values ({x.dtype})"
    if x.dtype.kind not in "biuf":
        return None, f"not real numbers (dtype {x.dtype})"
    x = x.astype(np.float64)
    if x.ndim == 0:
        x = x.reshape(1)
    if x.shape[0] < minimum:
        return None, f"too few samples: {x.shape[0]} < {minimum}"
    bad = int(np.count_nonzero(~np.isfinite(x)))
    if bad:
        return None, f"{bad} of {x.size} values are not finite (NaN or ±inf)"
    return x, ""
