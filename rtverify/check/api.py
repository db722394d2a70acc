"""Python API of ``rtverify check``: :func:`check` and :func:`assert_conforms`.

>>> from rtverify.check import check
>>> report = check("gaussian-kl", "my_vae.losses:kl", param="logvar")   # doctest: +SKIP
>>> report.ok, report.verdict, [str(f) for f in report.failures]         # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from rtverify.check.core import FALSE_ALARM, Options, resolve
from rtverify.check.loading import ImplLoadError, reference_to, split_spec
from rtverify.check.report import Report

__all__ = ["FALSE_ALARM", "assert_conforms", "check"]


def check(
    target: str,
    impl: str | Callable[..., Any],
    *,
    framework: str = "numpy",
    dtype: str | None = None,
    param: str | None = None,
    reduction: str | None = None,
    seed: Any = 0,
    false_alarm: float = FALSE_ALARM,
    timeout: float = 10.0,
    budget: float = 120.0,
    k: int | None = None,
) -> Report:
    """Check ``impl`` (a callable, or an ``"module:function"`` / ``"path.py:function"`` string)
    against the reference for ``target``.

    ``framework`` ("numpy", "torch", "jax") is what IMPL receives, ``dtype`` ("float64",
    "float32"; default: the framework's own) the precision it is given and judged at. ``seed``
    (an integer, a NumPy integer, or a ``SeedSequence``): same seed, same verdict. ``timeout``:
    seconds one call may take (longer is a hang: a failure); ``budget``: seconds all calls may
    take (then the report says NOT JUDGED). ``false_alarm`` bounds the probability that a correct
    IMPL fails a statistical property.

    The check runs in a fresh process (the reference is computed where IMPL's import cannot
    reach it); IMPL runs in another. Returns a :class:`~rtverify.check.report.Report` (``.ok``,
    ``.verdict``, ``.exit_code``, ``.failures``, ``.raise_if_failed()``). Raises ``ValueError``
    for an option that is not allowed and :class:`~rtverify.check.loading.ImplLoadError` (a
    ``ValueError``) when IMPL cannot be loaded or is not callable.
    """
    if os.environ.get("RTVERIFY_WORKER"):
        raise RuntimeError(
            "rtverify.check.check was called while IMPL was being loaded for a check: guard "
            "the script's own check with `if __name__ == '__main__':`"
        )
    options = Options(framework, dtype, param, reduction, seed, false_alarm, timeout, budget, k)
    resolve(target, options)  # a bad option is reported here, in the caller's words
    if isinstance(impl, str):
        split_spec(impl)
        spec: Any = impl
    elif callable(impl):
        spec = reference_to(impl)
    else:
        raise ImplLoadError(
            f"impl must be a callable or an 'IMPL' string, not {type(impl).__name__}"
        )
    from rtverify.check.judge import run_isolated

    return run_isolated(target, spec, options)


def assert_conforms(target: str, impl: str | Callable[..., Any], **options: Any) -> Report:
    """One line for a test suite: raise ``AssertionError`` with the report unless IMPL conforms.

    ``assert_conforms("gaussian-kl", my_kl, param="logvar", framework="torch")``
    """
    __tracebackhide__ = True  # pytest shows the report, not this frame
    return check(target, impl, **options).raise_if_failed()
