"""What a target of ``rtverify check`` is: one object with its signature, options, properties
and corpus, judged through a :class:`Context`.

A target module (``rtverify/check/targets/<family>.py``) defines :class:`Target` objects and
lists them in ``TARGETS``; the registry (:mod:`rtverify.check.targets`) names the modules.
The check core (sandbox, statistics, report, CLI) never names a target or a framework: it
hands the target a :class:`Context` — the sandbox running IMPL, the options, the seed, the
dtype's rounding constants, the false-alarm budget — and gets back the properties.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from rtverify.check.calls import CallResult
from rtverify.check.report import FAIL, PASS, PropertyResult, Report
from rtverify.check.sandbox import Sandbox

__all__ = ["PARAMS", "REDUCTIONS", "Context", "Target", "reference_cache"]

_REFERENCE_LOCK = threading.RLock()


def reference_cache(fn: Callable) -> Callable:
    """Cache a reference computation and run it under one lock: a target's ``prepare`` runs in
    a thread beside the worker, and the judge may ask for the same value meanwhile (it then
    waits for it instead of computing it twice, and SymPy never runs in two threads at once)."""
    cached = functools.cache(fn)

    @functools.wraps(fn)
    def locked(*args):
        with _REFERENCE_LOCK:
            return cached(*args)

    return locked


@dataclass(frozen=True)
class Target:
    """A check target.

    ``signatures`` maps each supported framework to IMPL's signature as shown to users;
    ``options`` lists the options it accepts (``"param"``, ``"reduction"``, ``"k"``);
    ``run(ctx)`` judges IMPL and returns one :class:`PropertyResult` per property (in order);
    ``prepare()`` (optional) does the work that does not need IMPL (exact moments) in a thread
    while the worker loads and calls IMPL; what it computes goes through
    :func:`reference_cache`. The implementations that show what a target catches live in
    ``tests/check_corpus/<target>/`` (each file names its verdict).
    """

    name: str
    summary: str
    signatures: Mapping[str, str]
    returns: str
    reference: str
    run: Callable[[Context], list[PropertyResult]]
    properties: tuple[str, ...]
    options: tuple[str, ...] = ()
    prepare: Callable[[], None] | None = None
    #: whether its verdict rests on statistical tests (then a correct IMPL fails with
    #: probability ≤ the check's false-alarm rate; else with probability 0)
    statistical: bool = False

    @property
    def frameworks(self) -> tuple[str, ...]:
        return tuple(self.signatures)


#: Machine epsilon of the element types an IMPL may return (anything else counts as narrower).
_EPS = {
    "float64": 2.0**-52,
    "complex128": 2.0**-52,
    "float32": 2.0**-23,
    "complex64": 2.0**-23,
    "float16": 2.0**-10,
    "bfloat16": 2.0**-7,
}

#: The variance parameterizations a Gaussian target's IMPL may receive.
PARAMS: tuple[str, ...] = ("logvar", "log_std", "std", "var")
REDUCTIONS: tuple[str, ...] = ("none", "sum", "mean")


@dataclass
class Context:
    """Everything a target needs to judge one IMPL."""

    box: Sandbox
    report: Report
    framework: str
    dtype: str
    seed: int
    false_alarm: float
    param: str = "logvar"
    reduction: str = "none"
    k: int = 5

    @property
    def unit_roundoff(self) -> float:
        """u = ε/2 of the dtype IMPL works in (2⁻⁵³ for float64, 2⁻²⁴ for float32)."""
        return float(np.finfo(self.dtype).eps) / 2

    @property
    def tiny(self) -> float:
        """The dtype's smallest normal number: an absolute floor for flushed subnormals."""
        return float(np.finfo(self.dtype).tiny)

    def rng(self, *labels: object) -> np.random.Generator:
        """A generator for the check's inputs: a function of the seed and ``labels`` only."""
        from rtverify import stats

        return stats.rng("rtverify check", self.report.target, self.seed, *labels)

    def noise_seeds(self, n: int) -> list[int]:
        """``n`` distinct seeds for IMPL's own noise (a Generator, torch's global generator, a
        JAX key), derived from the check's seed: another seed, other noise."""
        gen = self.rng("noise seeds")
        return [int(s) for s in gen.choice(2**31 - 1, size=n, replace=False) + 1]

    def cast(self, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
        """The arrays as IMPL receives them: rounded to the dtype (C-contiguous)."""
        return tuple(np.ascontiguousarray(a, dtype=self.dtype) for a in arrays)

    def round(self, x: float) -> float:
        """A number as IMPL receives it (rounded to the dtype), as a Python float."""
        return float(np.asarray(x, dtype=self.dtype))

    def precision(self, name: str, results: Sequence[CallResult]) -> PropertyResult:
        """The property "returns the precision it was given or wider", over ``results``: an
        output type with a larger machine epsilon than the dtype IMPL was given fails
        (float16 and bfloat16 for float32; float32 for float64; integers always)."""
        given = _EPS[self.dtype]
        narrower = sorted({r.dtype for r in results if _EPS.get(r.dtype, np.inf) > given})
        if not narrower:
            return PropertyResult(name, PASS)
        return PropertyResult(name, FAIL, f"returns {', '.join(narrower)} for {self.dtype} inputs")

    def note(self, text: str) -> None:
        self.report.notes.append(text)
