"""Running the implementation under check in a worker process.

The worker is forked from the checking process, so it inherits whatever the caller imported
(a callable given to the Python API need not be picklable), loads ``IMPL`` itself (an import
that hangs or prints cannot hurt the checker), and runs each call with

- its standard output captured (a ``print`` inside IMPL cannot corrupt ``--json``; file
  descriptor 1 of the worker goes to ``/dev/null``);
- a copy of every array argument, compared after the call (mutation);
- the global random states (``random``, ``numpy.random``, ``torch`` if imported) seeded on
  request, so that two identical calls under different global seeds reveal an IMPL that draws
  its own noise instead of using the ``eps`` it was given;
- every exception caught and described (type, message, and the line of IMPL that raised).

A call that does not answer within its timeout gets the worker killed (and restarted on the
next call). Where ``fork`` is unavailable the calls run in-process, in a thread (a hang is then
reported but cannot be killed).
"""

from __future__ import annotations

import contextlib
import functools
import io
import multiprocessing
import os
import random
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rtverify.check.loading import ImplLoadError, load_impl

__all__ = ["CallResult", "FunctionRef", "Sandbox"]

_PRINT_KEEP = 200  # characters of captured output kept for the report


@dataclass(frozen=True)
class FunctionRef:
    """A test function passed to IMPL by name (``f`` or ``df`` of ``testfunctions.get(name)``)."""

    name: str
    which: str  # "f" or "df"

    def resolve(self) -> Callable[..., Any]:
        return _resolve_ref(self.name, self.which)


@functools.cache
def _resolve_ref(name: str, which: str) -> Callable[..., Any]:
    from rtverify.check.targets_grad import test_function

    return getattr(test_function(name), which)


@dataclass
class CallResult:
    """What one call of IMPL did."""

    error: str | None = None  # "raises …", "timed out …", "the worker process died …"
    kind: str = ""  # type of the returned object, e.g. "ndarray", "list", "NoneType"
    value: np.ndarray | None = None  # the returned object as an array, when it is array-like
    mutated: tuple[int, ...] = ()  # positions of array arguments changed by the call
    printed: str = ""  # first characters IMPL wrote to stdout
    n_printed: int = 0

    def problem(self, due: tuple[int, ...]) -> str | None:
        """What is wrong with the call when an array of shape ``due`` is due ("shape" when
        only the shape is wrong: the target says why), or None."""
        if self.error is not None:
            return self.error
        if self.kind == "NoneType":
            return "returns None (a missing return statement?)"
        if self.kind in ("list", "tuple"):
            return f"returns a {self.kind}, not an array (wrap it in np.asarray)"
        if self.value is None:
            return f"returns a {self.kind}, not an array"
        if due and self.kind in ("float", "int"):
            return f"returns a scalar {self.kind} where an array of shape {due} is due"
        return "shape" if tuple(self.value.shape) != due else None


def _describe_exception(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    for frame in reversed(frames):
        if "rtverify/check/" not in frame.filename.replace("\\", "/"):
            where = f" (at {os.path.basename(frame.filename)}:{frame.lineno})"
            break
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"raises {type(exc).__name__}" + (f": {message}" if message else "")
    return text[:300] + where


def _as_array(obj: Any) -> np.ndarray | None:
    """The returned object as a numeric array (for diagnosis), or None."""
    if obj is None:
        return None
    try:
        value = np.asarray(obj)
    except Exception:
        value = None
        for attempt in ("detach", "cpu", "numpy"):  # torch tensors that require grad
            obj = getattr(obj, attempt, lambda: None)()
            if obj is None:
                return None
        value = np.asarray(obj)
    if value.dtype.kind not in "biufc":
        return None
    return np.array(value, copy=True)


@functools.cache
def _kind_of(cls: type) -> str:
    module = cls.__module__
    return cls.__name__ if module in ("builtins", "numpy") else f"{module}.{cls.__name__}"


def _kind(obj: Any) -> str:
    return _kind_of(type(obj))


def _seed_globals(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch = sys.modules.get("torch")
    if torch is not None:
        with contextlib.suppress(Exception):
            torch.manual_seed(seed)


def _resolve(arg: Any) -> Any:
    return arg.resolve() if isinstance(arg, FunctionRef) else arg


def _run_calls(
    fn: Callable[..., Any], calls: Sequence[tuple], seeds: Sequence[int] | None
) -> list[CallResult]:
    """Run IMPL on each argument tuple; stop at the first call that raises."""
    results = []
    for i, args in enumerate(calls):
        given = [_resolve(a) for a in args]
        real = [a.copy() if isinstance(a, np.ndarray) else a for a in given]
        copies = {k: a for k, a in enumerate(given) if isinstance(a, np.ndarray)}
        if seeds is not None:
            _seed_globals(seeds[i])
        buffer = io.StringIO()
        result = CallResult()
        try:
            with contextlib.redirect_stdout(buffer):
                out = fn(*real)
            result.kind = _kind(out)
            result.value = _as_array(out)
        except BaseException as exc:  # IMPL may raise anything, even SystemExit
            result.error = _describe_exception(exc)
        result.mutated = tuple(
            k
            for k, c in copies.items()
            if real[k].shape != c.shape or real[k].tobytes() != c.tobytes()  # bitwise
        )
        text = buffer.getvalue()
        result.printed, result.n_printed = text[:_PRINT_KEEP], len(text)
        results.append(result)
        if result.error is not None:
            break
    return results


def _worker_main(conn: Any, impl: Any) -> None:
    """Entry of the forked worker: load IMPL, then serve batches of calls until told to stop."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # C-level writes to stdout cannot reach the checker's stdout
    sys.stdout = io.StringIO()
    warnings.simplefilter("ignore")
    try:
        fn = load_impl(impl) if isinstance(impl, str) else impl
    except ImplLoadError as exc:
        conn.send(("load_error", str(exc)))
        return
    conn.send(("loaded", None))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] == "stop":
            return
        _, calls, seeds = message
        try:
            conn.send(("done", _run_calls(fn, calls, seeds)))
        except Exception as exc:  # e.g. an unpicklable result
            conn.send(("done", [CallResult(error=f"cannot be run by rtverify: {exc}")]))


class Sandbox:
    """A worker process holding IMPL, with a per-call timeout and a total time budget.

    ``Sandbox(impl, call_timeout=3.0, budget=10.0)``; :meth:`run` takes a list of argument
    tuples and returns one :class:`CallResult` per call made (fewer if a call raised).
    """

    def __init__(self, impl: Any, *, call_timeout: float = 3.0, budget: float = 10.0) -> None:
        self.impl = impl
        self.call_timeout = call_timeout
        self.deadline = time.monotonic() + budget
        self.budget = budget
        self._process: Any = None
        self._conn: Any = None
        self.forked = "fork" in multiprocessing.get_all_start_methods()
        self._fn: Callable[..., Any] | None = None
        self._loading = False
        self.printed, self.n_printed = "", 0  # IMPL's captured standard output

    # -- lifecycle -------------------------------------------------------------------------
    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def start(self, wait: bool = True) -> None:
        """Start the worker and load IMPL; :class:`ImplLoadError` if it cannot be loaded.

        With ``wait=False`` the load goes on in the background until :meth:`wait_loaded`
        (called by the first :meth:`run`).
        """
        if not self.forked:
            self._fn = load_impl(self.impl) if isinstance(self.impl, str) else self.impl
            return
        context = multiprocessing.get_context("fork")
        parent, child = context.Pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self._process = context.Process(target=_worker_main, args=(child, self.impl), daemon=True)
        self._process.start()
        child.close()
        self._conn = parent
        self._loading = True
        if wait:
            self.wait_loaded()

    def wait_loaded(self) -> None:
        """Block until the worker has loaded IMPL; :class:`ImplLoadError` if it could not."""
        if not self._loading:
            return
        self._loading = False
        parent = self._conn
        wait = max(0.5, self.remaining())
        if not parent.poll(wait):
            self.close()
            raise ImplLoadError(f"loading IMPL {self.impl!r} did not finish in {wait:.0f} s")
        try:
            status, detail = parent.recv()
        except (EOFError, OSError):
            code = self._process.exitcode
            self.close()
            raise ImplLoadError(
                f"loading IMPL {self.impl!r} killed the process (exit {code})"
            ) from None
        if status == "load_error":
            self.close()
            raise ImplLoadError(detail)

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.send(("stop",))
            with contextlib.suppress(Exception):
                self._conn.close()
        if self._process is not None:
            self._process.join(0.2)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(1.0)
        self._process = self._conn = None

    def __enter__(self) -> Sandbox:
        self.start(wait=False)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls -------------------------------------------------------------------------------
    def run(self, calls: Sequence[tuple], seeds: Sequence[int] | None = None) -> list[CallResult]:
        """Call IMPL on each argument tuple (all in one round trip to the worker)."""
        timeout = min(self.call_timeout if len(calls) == 1 else self.budget, self.remaining())
        if timeout <= 0:
            return [CallResult(error=f"not run: the check's {self.budget:.0f} s budget is spent")]
        if not self.forked:
            return self._run_in_thread(calls, seeds, timeout)
        if self._process is None:
            self.start()
        self.wait_loaded()
        try:
            self._conn.send(("call", list(calls), None if seeds is None else list(seeds)))
            if self._conn.poll(timeout):
                return self._noted(self._conn.recv()[1])
        except (EOFError, OSError, BrokenPipeError):
            code = None
            if self._process is not None:
                self._process.join(1.0)  # reap it, to learn its exit code
                code = self._process.exitcode
            self.close()
            return [CallResult(error=f"kills the process (exit code {code})")]
        self.close()
        what = "a call" if len(calls) == 1 else f"{len(calls)} calls"
        return [CallResult(error=f"times out: {what} did not return within {timeout:.1f} s")]

    def _run_in_thread(
        self, calls: Sequence[tuple], seeds: Sequence[int] | None, timeout: float
    ) -> list[CallResult]:
        box: list[list[CallResult]] = []
        assert self._fn is not None
        thread = threading.Thread(
            target=lambda: box.append(_run_calls(self._fn, calls, seeds)), daemon=True
        )
        thread.start()
        thread.join(timeout)
        if thread.is_alive() or not box:
            return [CallResult(error=f"times out: no return within {timeout:.1f} s")]
        return self._noted(box[0])

    def _noted(self, results: list[CallResult]) -> list[CallResult]:
        """Count what IMPL printed (it is captured, never shown on stdout)."""
        for r in results:
            if r.n_printed and not self.printed:
                self.printed = r.printed
            self.n_printed += r.n_printed
        return results

    def call(self, *args: Any, seed: int | None = None) -> CallResult:
        """One call of IMPL."""
        return self.run([args], None if seed is None else [seed])[0]
