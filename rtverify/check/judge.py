"""The judge: a fresh process in which the Python API runs its checks.

``rtverify.check.check(target, my_kl)`` is called in a process that has imported IMPL's module —
and that module may have patched ``rtverify.gaussian`` or NumPy at import (by accident or not).
So the reference is never computed there: the first call starts a judge (``python -m
rtverify.check.judge FD``, a fresh interpreter that never imports IMPL's module), which runs
every check of the calling process and sends back the :class:`~rtverify.check.report.Report`.
IMPL itself runs in a worker forked from the judge's zygote (:mod:`rtverify.check.worker`). The
judge exits when the calling process does (its socket closes).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import threading
from typing import Any

from rtverify.check import worker as wire

__all__ = ["run_isolated"]

_lock = threading.Lock()
_judge: list[Any] = []  # [(process, socket)] while a judge runs


def _start() -> tuple[subprocess.Popen, socket.socket]:
    mine, theirs = socket.socketpair()
    env = dict(os.environ)
    env.pop("RTVERIFY_WORKER", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "rtverify.check.judge", str(theirs.fileno())],
        pass_fds=[theirs.fileno()],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        env=env,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )
    theirs.close()
    return process, mine


@atexit.register
def _stop() -> None:
    for process, sock in _judge:
        with contextlib.suppress(OSError):
            sock.close()
        with contextlib.suppress(Exception):
            process.wait(2.0)
    _judge.clear()


def run_isolated(target: str, impl: Any, options: Any) -> Any:
    """Run :func:`rtverify.check.core.run_check` in the judge; re-raise its usage errors."""
    request = ("check", target, impl, options, list(sys.path), os.getcwd(), dict(os.environ))
    with _lock:
        for attempt in range(2):
            if not _judge or _judge[0][0].poll() is not None:
                _stop()
                _judge.append(_start())
            sock = _judge[0][1]
            try:
                wire.send(sock, request)
                status, payload = wire.recv(sock)
                break
            except (OSError, EOFError):
                _stop()
                if attempt:
                    raise RuntimeError("the rtverify judge process died") from None
    if status == "report":
        return payload
    raise payload


def _serve(fd: int) -> None:
    sock = socket.socket(fileno=fd)
    from rtverify.check.core import run_check

    while True:
        try:
            _, target, impl, options, path, cwd, env = wire.recv(sock)
        except (EOFError, OSError):
            return
        sys.path[:] = path
        os.environ.clear()
        os.environ.update(env)
        os.environ.pop("RTVERIFY_WORKER", None)
        with contextlib.suppress(OSError):
            os.chdir(cwd)
        try:
            reply = ("report", run_check(target, impl, options))
        except Exception as exc:
            if not isinstance(exc, ValueError):  # rtverify's own failure: say so, once
                exc = RuntimeError(f"rtverify check failed internally: {type(exc).__name__}: {exc}")
            reply = ("error", exc)
        wire.send(sock, reply)


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
