"""Work in a child process that is killed at its deadline.

SymPy can stay for minutes inside its own code (Risch integration, ``simplify``), where a
``SIGALRM`` handler may never run. The engine therefore does its checking in a forked child and
the parent waits on a pipe with a deadline: when the deadline passes the child is killed
(``SIGKILL``), which works wherever the child is. The child inherits everything it needs
through ``fork`` (no pickling of expressions); only small results travel back, pickled.
A deadline can count the child's processor time (:meth:`Child.receive_within_cpu`), so that a
busy machine, which stretches wall time, does not change which steps finish in time.

:class:`Child` is the mechanism; :data:`AVAILABLE` is false where ``os.fork`` does not exist
(Windows), and callers then run the work in-process, unbounded.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["AVAILABLE", "CPU_CLOCK", "Child", "ChildDied"]

AVAILABLE = hasattr(os, "fork")
_HEADER = struct.Struct("!Q")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
#: Whether a child's processor time can be read (``/proc``, Linux); else deadlines are wall time.
CPU_CLOCK = os.path.exists("/proc/self/stat")


class ChildDied(Exception):
    """The child exited (or crashed) before sending the message waited for."""


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class Child:
    """Run ``body(send)`` in a forked child; ``send(message)`` passes a picklable message to
    the parent, which reads it with :meth:`receive` (bounded by a timeout)."""

    def __init__(self, body: Callable[[Callable[[Any], None]], None]) -> None:
        read, write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        with warnings.catch_warnings():  # "process is multi-threaded, fork() may deadlock"
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            os.close(read)
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)

                def send(message: Any) -> None:
                    data = pickle.dumps(message)
                    _write_all(write, _HEADER.pack(len(data)) + data)

                body(send)
            except BaseException as exc:  # report, never let the child return into the caller
                code = 1
                try:
                    send(("error", f"{type(exc).__name__}: {exc}"))
                except BaseException:
                    pass
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self._fd, self._buffer = pid, read, b""
        self._closed = False

    def _parse(self) -> tuple[bool, Any]:
        if len(self._buffer) < _HEADER.size:
            return False, None
        (n,) = _HEADER.unpack_from(self._buffer)
        if len(self._buffer) < _HEADER.size + n:
            return False, None
        data = self._buffer[_HEADER.size : _HEADER.size + n]
        self._buffer = self._buffer[_HEADER.size + n :]
        return True, pickle.loads(data)

    def receive(self, timeout: float) -> Any:
        """The next message; :class:`TimeoutError` after ``timeout`` seconds,
        :class:`ChildDied` when the child has exited without sending one."""
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            ready, message = self._parse()
            if ready:
                return message
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            readable, _, _ = select.select([self._fd], [], [], left)
            if not readable:
                raise TimeoutError
            chunk = os.read(self._fd, 1 << 16)
            if not chunk:
                raise ChildDied
            self._buffer += chunk

    def cpu_seconds(self) -> float | None:
        """The processor time (user + system) the child has used so far, or ``None`` where
        the system does not tell (no ``/proc``)."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / _TICKS
        except (OSError, ValueError, IndexError):
            return None

    def receive_within_cpu(self, limit: float, since: float | None, wall_limit: float) -> Any:
        """The next message, like :meth:`receive`, but the deadline is ``limit`` seconds of
        the child's processor time counted from ``since`` (a :meth:`cpu_seconds` reading), so
        that a busy machine, which slows the child's wall clock, does not cut it short; where
        processor time is unknown, ``limit`` wall seconds. ``wall_limit`` wall seconds bound
        the wait in any case (a child that is blocked uses no processor time)."""
        wall_deadline = time.monotonic() + wall_limit
        if not CPU_CLOCK or since is None:
            return self.receive(min(limit, wall_limit))
        while True:
            used = self.cpu_seconds()
            left = min(limit - (used - since if used is not None else limit),
                       wall_deadline - time.monotonic())
            if left <= 0:
                raise TimeoutError
            try:
                return self.receive(min(left, 0.25))
            except TimeoutError:
                continue

    def close(self) -> None:
        """Kill the child if it still runs, and reap it."""
        if self._closed:
            return
        self._closed = True
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(self._fd)
        os.waitpid(self.pid, 0)
