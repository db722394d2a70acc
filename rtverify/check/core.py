"""The check core: validate the options, run the target's properties on IMPL, make the report.

It names no target and no framework: the target comes from the registry
(:mod:`rtverify.check.targets`), IMPL runs in a :class:`~rtverify.check.sandbox.Sandbox`
through the framework's adapter.
"""

from __future__ import annotations

import numbers
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from rtverify.check import adapters, sandbox
from rtverify.check.loading import ImplRef, describe_impl
from rtverify.check.report import NOT_JUDGED, PropertyResult, Report
from rtverify.check.sandbox import BudgetSpent, Sandbox
from rtverify.check.target import PARAMS, REDUCTIONS, Context, Target

__all__ = ["FALSE_ALARM", "OptionError", "Options", "resolve", "run_check"]

#: Family-wise false-alarm probability of one check (its statistical tests share it).
FALSE_ALARM = 1e-6


class OptionError(ValueError):
    """An option is not allowed; ``option`` names it (the CLI says ``--option``)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option, self.message = option, message

    def __reduce__(self) -> tuple:
        return (OptionError, (self.option, self.message))


@dataclass(frozen=True)
class Options:
    """The options of one check (``None``: the target's or framework's default)."""

    framework: str = "numpy"
    dtype: str | None = None
    param: str | None = None
    reduction: str | None = None
    seed: Any = 0
    false_alarm: float = FALSE_ALARM
    timeout: float = 10.0  # seconds one call of IMPL may take (a longer one is a hang)
    budget: float = 120.0  # seconds all calls together may take (then: not judged, exit 3)
    k: int | None = None


def _seed(seed: Any) -> int:
    import numpy as np

    if isinstance(seed, np.random.SeedSequence) and isinstance(seed.entropy, int):
        seed = seed.entropy
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        raise OptionError("seed", f"must be a non-negative integer, not {seed!r}")
    return int(seed)


def _positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise OptionError(name, f"must be a positive number of seconds, not {value!r}")
    return float(value)


def resolve(target_name: str, options: Options) -> tuple[Target, Options]:
    """The target and the options with defaults filled in; :class:`OptionError` if not allowed."""
    from rtverify.check import targets

    try:
        target = targets.get(target_name)
    except ValueError as exc:
        raise OptionError("target", str(exc)) from None
    o = options
    if o.framework not in adapters.FRAMEWORKS:
        raise OptionError(
            "framework", f"choose one of {', '.join(adapters.FRAMEWORKS)}, not {o.framework!r}"
        )
    if o.framework not in target.frameworks:
        raise OptionError(
            "framework",
            f"{target.name} checks {' or '.join(target.frameworks)} implementations, not "
            f"{o.framework} (it needs autograd)"
            if o.framework == "numpy"
            else f"{target.name} does not support {o.framework}",
        )
    dtype = o.dtype or adapters.DEFAULT_DTYPE[o.framework]
    if dtype not in ("float64", "float32"):
        raise OptionError("dtype", f"choose float64 or float32, not {dtype!r}")
    for name, allowed, value in (
        ("param", PARAMS, o.param),
        ("reduction", REDUCTIONS, o.reduction),
    ):
        if value is None:
            continue
        if value not in allowed:
            raise OptionError(name, f"choose one of {', '.join(allowed)}, not {value!r}")
        if name not in target.options and value != allowed[0]:
            raise OptionError(name, f"does not apply to {target.name}")
    if o.k is not None and ("k" not in target.options or not isinstance(o.k, int) or o.k < 1):
        raise OptionError(
            "k", f"must be a positive integer and applies to targets taking K, not {o.k!r}"
        )
    if not 0.0 < o.false_alarm <= FALSE_ALARM:
        raise OptionError("false_alarm", f"must be in (0, {FALSE_ALARM:g}], not {o.false_alarm!r}")
    resolved = replace(
        o,
        dtype=dtype,
        param=o.param or "logvar",
        reduction=o.reduction or "none",
        seed=_seed(o.seed),
        timeout=_positive("timeout", o.timeout),
        budget=_positive("budget", o.budget),
        k=o.k or 5,
    )
    return target, resolved


def run_check(target_name: str, impl: str | ImplRef, options: Options) -> Report:
    """Check IMPL against the target; :class:`OptionError` or
    :class:`~rtverify.check.loading.ImplLoadError` when it cannot be run at all."""
    started = time.perf_counter()
    if options.framework in adapters.FRAMEWORKS:
        sandbox.prestart(options.framework)  # its import runs beside resolving the target
    target, o = resolve(target_name, options)
    shown = {"param": o.param, "reduction": o.reduction, "k": o.k}
    report = Report(
        target.name,
        describe_impl(impl),
        o.seed,
        framework=o.framework,
        dtype=o.dtype,
        options={k: shown[k] for k in target.options if k in shown},
    )
    if target.prepare is not None:  # exact moments, computed beside the worker
        threading.Thread(target=_quietly, args=(target.prepare,), daemon=True).start()
    box = Sandbox(
        impl,
        framework=o.framework,
        dtype=o.dtype,
        call_timeout=o.timeout,
        first_call_timeout=o.timeout + adapters.JIT_ALLOWANCE[o.framework],
        budget=o.budget,
    )
    with box:
        box.start()
        ctx = Context(
            box, report, o.framework, o.dtype, o.seed, o.false_alarm, o.param, o.reduction, o.k
        )
        try:
            report.properties = target.run(ctx)
        except BudgetSpent:
            report.properties = [
                PropertyResult(name, NOT_JUDGED, f"not judged: the {o.budget:g} s budget ran out")
                for name in target.properties
            ]
            rate = box.spent / max(box.n_calls, 1)
            report.notes.append(
                f"the budget of {o.budget:g} s ran out after {box.n_calls} calls of IMPL "
                f"({rate:.3g} s per call): rerun with a larger budget (--budget {4 * o.budget:g})"
            )
        if box.n_printed:
            first = box.printed.strip().splitlines()[0][:60] if box.printed.strip() else ""
            report.notes.append(
                f"IMPL printed {box.n_printed} characters to stdout/stderr (captured, not "
                f"shown; the first line: {first!r})"
            )
        hint = _framework_hint(box, report, o.framework)
        if hint:
            report.notes.append(hint)
    report.seconds = time.perf_counter() - started
    return report


def _quietly(work) -> None:
    """Run ``work``; a failure is not reported here (the judge, needing the value, meets it)."""
    try:
        work()
    except Exception:
        pass


def _framework_hint(box: Sandbox, report: Report, framework: str) -> str:
    """On NumPy input a torch IMPL raises; a JAX one mostly runs and returns float32 arrays:
    whatever fails, an IMPL whose module imports a framework is pointed to it."""
    imported = [f for f in box.frameworks_imported if f != framework]
    if framework != "numpy" or not imported or report.ok:
        return ""
    return f"IMPL's module imports {imported[0]}: try --framework {imported[0]}"
