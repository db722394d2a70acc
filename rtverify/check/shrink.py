"""Minimal counterexamples, shrunk by Hypothesis.

:func:`shrink` searches a strategy for an input on which a predicate holds ("IMPL fails here")
with ``hypothesis.find`` (derandomized, no example database, so the same IMPL gives the same
counterexample) and returns Hypothesis' minimal one: batch = 1 and D = 1 where the failure allows,
values shrunk towards 0, ±1 and short decimals. The search stops after ``max_calls`` calls of
the predicate — a number, never a time, so the counterexample does not depend on the machine's
load — and returns the smallest failing input seen so far.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["shrink", "value_cases"]

_MAX_EXAMPLES = 150  # inputs tried before giving up (the shrinking phase comes on top)


class _OutOfCalls(Exception):
    pass


def shrink(strategy: Any, fails: Callable[[Any], bool], max_calls: int = 120) -> Any | None:
    """A minimal example of ``strategy`` on which ``fails`` is true, or None if none is found."""
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import NoSuchExample

    best: list[Any] = []
    calls = [0]

    def condition(example: Any) -> bool:
        calls[0] += 1
        if calls[0] > max_calls:
            raise _OutOfCalls
        if fails(example):
            best.append(example)  # Hypothesis tries ever smaller examples: keep the latest
            return True
        return False

    config = settings(
        max_examples=_MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    try:
        return find(strategy, condition, settings=config)
    except (NoSuchExample, _OutOfCalls):
        return best[-1] if best else None
    except Exception as exc:  # e.g. Hypothesis refusing to run inside another @given
        from rtverify.check.sandbox import BudgetSpent

        if isinstance(exc, BudgetSpent) or isinstance(exc.__cause__, BudgetSpent):
            raise
        return best[-1] if best else None


def value_cases(names: tuple[str, ...], ranges: dict[str, tuple[float, float]]) -> Any:
    """Strategy of dicts ``{name: list of rows}`` with batch, D ∈ [1, 3] and values in ``ranges``.

    Floats shrink towards 0 (or the nearest simple number in range); batch and D towards 1.
    """
    from hypothesis import strategies as st

    @st.composite
    def draw_case(draw: Any) -> dict[str, Any]:
        batch = draw(st.integers(1, 3))
        dim = draw(st.integers(1, 3))
        out = {}
        for name in names:
            lo, hi = ranges[name]
            flat = draw(st.lists(st.floats(lo, hi), min_size=batch * dim, max_size=batch * dim))
            out[name] = [flat[i * dim : (i + 1) * dim] for i in range(batch)]
        return out

    return draw_case()
