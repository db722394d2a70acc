"""The checker's side of the worker process that runs IMPL (see :mod:`rtverify.check.worker`).

``Sandbox(impl, framework="torch", dtype="float32", call_timeout=10, budget=60)`` starts a
worker (a fork of a fresh per-framework zygote, never of the calling process), loads IMPL in
it, and runs :class:`~rtverify.check.calls.Call` s:

- every call is held to ``call_timeout`` seconds — except the first call of each new argument
  signature, which may compile (JIT) and gets ``first_call_timeout``; a call that does not
  return in time is a hang: the worker's whole process group is killed (a fresh worker serves
  the next call);
- loading IMPL (its imports) has its own ``load_timeout`` and counts against nothing else;
- the calls together (first calls included) may take ``budget`` seconds; past it
  :class:`BudgetSpent` is raised
  (the check then says "not judged" for what is left: slow is never wrong);
- closing kills the worker's process group: nothing IMPL started outlives the check. If the
  checker dies, the worker's guardian kills the group.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from rtverify.check import worker as _wire
from rtverify.check.calls import Call, CallResult
from rtverify.check.loading import ImplLoadError, ImplRef

__all__ = ["BudgetSpent", "Sandbox", "prestart"]


class BudgetSpent(Exception):
    """The check's time budget ran out before every property was judged."""


class _Zygote:
    """A fresh process that has imported one framework and forks workers on request."""

    def __init__(self, framework: str, timeout: float) -> None:
        mine, theirs = socket.socketpair()
        env = dict(os.environ)
        for name in _wire.THREAD_VARIABLES:
            env[name] = "1"  # one thread: fork-safe, and deterministic BLAS sums
        env.pop("RTVERIFY_WORKER", None)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rtverify.check.worker",
                "zygote",
                framework,
                str(theirs.fileno()),
            ],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        )
        theirs.close()
        self.sock, self.framework, self.timeout = mine, framework, timeout
        self.lock = threading.Lock()
        self.ready = False  # the zygote imports its framework while the checker goes on

    def _handshake(self) -> None:
        """Wait (at most ``timeout`` s) for the zygote's "ready"; :class:`ImplLoadError` if not."""
        self.sock.settimeout(self.timeout)
        try:
            status, detail = _wire.recv(self.sock)
        except (OSError, EOFError):
            self.close()
            raise ImplLoadError(
                f"the {self.framework} worker did not start in {self.timeout:.0f} s"
            ) from None
        if status != "ready":
            self.close()
            raise ImplLoadError(str(detail))
        self.sock.settimeout(None)
        self.ready = True

    def fork(self) -> tuple[int, socket.socket]:
        mine, theirs = socket.socketpair()
        with self.lock:
            if not self.ready:
                self._handshake()
            socket.send_fds(self.sock, [b"f"], [theirs.fileno()])
            theirs.close()
            _, pid = _wire.recv(self.sock)
        return pid, mine

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(2.0)


_zygotes: dict[str, _Zygote] = {}
_zygote_lock = threading.Lock()


def _zygote(framework: str, timeout: float) -> _Zygote:
    with _zygote_lock:
        z = _zygotes.get(framework)
        if z is None or not z.alive():
            z = _zygotes[framework] = _Zygote(framework, timeout)
        return z


def prestart(framework: str, timeout: float = 120.0) -> None:
    """Start the framework's zygote now, without waiting for it: its import (torch, jax) runs
    beside the checker's own imports. Any failure is reported by the first :class:`Sandbox`."""
    with contextlib.suppress(Exception):
        _zygote(framework, timeout)


@atexit.register
def _close_zygotes() -> None:
    for z in _zygotes.values():
        z.close()
    _zygotes.clear()


class Sandbox:
    """A worker process holding IMPL; see the module docstring."""

    def __init__(
        self,
        impl: str | ImplRef,
        *,
        framework: str = "numpy",
        dtype: str = "float64",
        call_timeout: float = 10.0,
        first_call_timeout: float = 60.0,
        load_timeout: float = 120.0,
        budget: float = 60.0,
    ) -> None:
        self.impl, self.framework, self.dtype = impl, framework, dtype
        self.call_timeout, self.first_call_timeout = call_timeout, first_call_timeout
        self.load_timeout, self.budget = load_timeout, budget
        self.spent = 0.0  # seconds of calls so far (loading excluded)
        self.printed, self.n_printed = "", 0  # IMPL's captured output (stdout and stderr)
        self.n_calls = 0
        self.frameworks_imported: list[str] = []  # torch / jax found after loading IMPL
        self._pid: int | None = None
        self._sock: socket.socket | None = None
        self._signatures: set[tuple] = set()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Fork a worker and load IMPL; :class:`ImplLoadError` if it cannot be loaded."""
        started = time.monotonic()
        zygote = _zygote(self.framework, self.load_timeout)
        self._pid, self._sock = zygote.fork()
        init = {
            "checker": os.getpid(),
            "sys_path": list(sys.path),
            "cwd": os.getcwd(),
            "environ": dict(os.environ),
            "impl": self.impl,
            "dtype": self.dtype,
        }
        _wire.send(self._sock, init)
        left = self.load_timeout - (time.monotonic() - started)
        status, detail = self._receive(max(left, 1.0), what="loading IMPL")
        if status == "load_error":
            self.close()
            raise ImplLoadError(detail)
        self.frameworks_imported = detail.get("frameworks", [])
        self._note_output(detail)

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
        if self._pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(self._pid, signal.SIGKILL)
        self._pid = self._sock = None
        self._signatures.clear()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def remaining(self) -> float:
        return self.budget - self.spent

    # -- calls -------------------------------------------------------------------------------
    def _receive(self, timeout: float, *, what: str) -> tuple:
        assert self._sock is not None
        self._sock.settimeout(timeout)
        try:
            return _wire.recv(self._sock)
        except TimeoutError:
            self.close()
            if what == "loading IMPL":
                raise ImplLoadError(f"loading IMPL did not finish in {timeout:.0f} s") from None
            return ("timeout", None)
        except (EOFError, OSError):
            code = self._exit_code()
            self.close()
            if what == "loading IMPL":
                raise ImplLoadError(f"loading IMPL killed the process ({code})") from None
            return ("died", code)

    def _exit_code(self) -> str:
        time.sleep(0.05)
        return "it exited or was killed"

    def run(self, calls: Sequence[Call]) -> list[CallResult]:
        """Call IMPL on each :class:`Call`; stop at the first one that raises, hangs or kills
        the worker (its result is the last). :class:`BudgetSpent` when the budget is spent."""
        if not calls:
            return []
        if self.remaining() <= 0:
            raise BudgetSpent(f"the check's {self.budget:g} s budget is spent")
        if self._sock is None:
            self.start()
        assert self._sock is not None
        _wire.send(self._sock, ("calls", list(calls)))
        results: list[CallResult] = []
        for call in calls:
            signature = call.signature()
            first = signature not in self._signatures
            limit = self.first_call_timeout if first else self.call_timeout
            started = time.monotonic()
            status, *rest = self._receive(limit, what="a call")
            self.spent += time.monotonic() - started  # the budget counts every call
            self.n_calls += 1
            if status == "timeout":
                results.append(
                    CallResult(error=f"times out: a call did not return within {limit:g} s")
                )
                break
            if status == "died":
                results.append(CallResult(error=f"kills the process ({rest[0]})"))
                break
            self._signatures.add(signature)
            result = rest[1]
            self._note_output({"printed": result.printed, "n_printed": result.n_printed})
            results.append(result)
            if result.error is not None:
                break
            if self.remaining() <= 0 and len(results) < len(calls):
                self.close()  # the worker is still working through the batch
                raise BudgetSpent(f"the check's {self.budget:g} s budget is spent")
        return results

    def call(self, call: Call) -> CallResult:
        """One call of IMPL."""
        return self.run([call])[0]

    def _note_output(self, captured: dict[str, Any]) -> None:
        if captured["n_printed"] and not self.printed:
            self.printed = captured["printed"]
        self.n_printed += captured["n_printed"]
