"""Python API of ``rtverify check``: :func:`check` and :func:`assert_conforms`.

>>> from rtverify.check import check
>>> report = check("gaussian-kl", "my_vae.losses:kl", param="logvar")   # doctest: +SKIP
>>> report.ok, [str(f) for f in report.failures]                          # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rtverify.check.loading import describe_impl
from rtverify.check.report import Report
from rtverify.check.targets import validate_options

__all__ = [
    "BUDGET_SECONDS",
    "CALL_TIMEOUT_SECONDS",
    "FALSE_ALARM",
    "assert_conforms",
    "check",
]

#: Wall-time budget of one check (IMPL's calls included).
BUDGET_SECONDS = 10.0
#: Longest a single call of IMPL may take before it counts as hanging (and is killed).
CALL_TIMEOUT_SECONDS = 3.0
#: Family-wise false-alarm probability of one check (its statistical tests share it).
FALSE_ALARM = 1e-6


def check(
    target: str,
    impl: str | Callable[..., Any],
    *,
    param: str = "logvar",
    reduction: str = "none",
    seed: int = 0,
    false_alarm: float = FALSE_ALARM,
) -> Report:
    """Check ``impl`` (a callable or an ``"IMPL"`` string) against the reference for ``target``.

    Returns a :class:`~rtverify.check.report.Report` (``.ok``, ``.failures``,
    ``.raise_if_failed()``). Raises ``ValueError`` for a bad option and
    :class:`~rtverify.check.loading.ImplLoadError` (a ``ValueError``) when IMPL cannot be
    loaded or is not callable. Same seed → same verdict. ``false_alarm`` bounds the probability
    that a correct IMPL fails the statistical properties (gradient targets; Bonferroni-split
    over their tests); the deterministic properties cannot fail a correct IMPL.
    """
    from rtverify.check.sandbox import Sandbox

    validate_options(target, param, reduction, seed)
    if not 0.0 < false_alarm <= FALSE_ALARM:
        raise ValueError(f"false_alarm must be in (0, {FALSE_ALARM:g}], not {false_alarm!r}")
    if not isinstance(impl, str) and not callable(impl):
        raise TypeError(f"impl must be a callable or an 'IMPL' string, not {type(impl).__name__}")
    started = time.perf_counter()
    report = Report(target, describe_impl(impl), param, reduction, seed)
    gradient = target in ("score-gradient", "pathwise-gradient")
    if gradient:
        from rtverify.check.targets_grad import load_functions

        load_functions()  # the worker forks with the test functions already imported
    with Sandbox(impl, call_timeout=CALL_TIMEOUT_SECONDS, budget=BUDGET_SECONDS) as box:
        if gradient:
            from rtverify.check.targets_grad import prepare, run_grad

            prepare(target)  # exact moments (SymPy), while the worker loads IMPL
            box.wait_loaded()
            run_grad(target, box, seed, report, false_alarm)
        else:
            from rtverify.check.targets_det import kl_target, run_det, sample_target

            box.wait_loaded()
            det = kl_target if target == "gaussian-kl" else sample_target
            report.properties = run_det(det, box, param, reduction, seed)
        if box.n_printed:
            first = box.printed.strip().splitlines()[0][:60] if box.printed.strip() else ""
            report.notes.append(
                f"IMPL printed {box.n_printed} characters to stdout (captured, "
                f"not shown; the first line: {first!r})"
            )
    report.seconds = time.perf_counter() - started
    return report


def assert_conforms(
    target: str,
    impl: str | Callable[..., Any],
    *,
    param: str = "logvar",
    reduction: str = "none",
    seed: int = 0,
) -> Report:
    """One line for a test suite: raise ``AssertionError`` with the report unless IMPL conforms.

    ``assert_conforms("gaussian-kl", my_kl, param="logvar")``
    """
    __tracebackhide__ = True  # pytest shows the report, not this frame
    return check(target, impl, param=param, reduction=reduction, seed=seed).raise_if_failed()
