"""The processes IMPL runs in: a *zygote* per framework and one *worker* per check.

The zygote is started fresh (``python -m rtverify.check.worker zygote FRAMEWORK FD``, never a
fork of the caller), with one BLAS/OpenMP thread, and imports NumPy, this module and the
framework (torch, jax) once. For each check it forks a worker: a clean process that has never
seen another IMPL, started in milliseconds. So nothing of the caller (JAX's threads, CUDA state,
a patched NumPy) reaches the worker, and the framework's import is paid once per checker.

A worker

- leads its own process group, and forks a *guardian* that kills the whole group (IMPL's
  children included) as soon as the checker is gone — even when the checker is killed with
  SIGKILL;
- writes IMPL's standard output and standard error into a private file (reported, not shown);
- loads IMPL (an ``IMPL`` string, or a callable sent by reference) from the caller's
  ``sys.path`` and directory;
- answers each :class:`~rtverify.check.calls.Call` with a
  :class:`~rtverify.check.calls.CallResult`, one message per call (so that the checker can hold
  every call, not only the first, to its timeout).

Messages are length-prefixed pickles over a socket (:func:`send`, :func:`recv`).
"""

from __future__ import annotations

import contextlib
import inspect
import os
import pickle
import random
import signal
import socket
import struct
import sys
import time
import traceback
import warnings
from typing import Any

__all__ = ["recv", "send"]

_HEADER = struct.Struct("!Q")
_PRINT_KEEP = 200
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def send(sock: socket.socket, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def _exactly(sock: socket.socket, n: int) -> bytes:
    chunks = []
    while n:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv(sock: socket.socket) -> Any:
    (size,) = _HEADER.unpack(_exactly(sock, _HEADER.size))
    return pickle.loads(_exactly(sock, size))


# -- the zygote ------------------------------------------------------------------------------


def zygote_main(framework: str, fd: int) -> None:
    """Serve fork requests from the checker until it goes away."""
    warnings.simplefilter("ignore")
    ctl = socket.socket(fileno=fd)
    try:
        from rtverify.check import adapters

        adapters.load(framework)
        import rtverify.check.calls  # noqa: F401  (unpickling needs it in every worker)
    except BaseException as exc:
        send(ctl, ("error", f"cannot import {framework}: {type(exc).__name__}: {exc}"))
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    send(ctl, ("ready", os.getpid()))
    while True:
        try:
            _, fds, _, _ = socket.recv_fds(ctl, 16, 1)
        except OSError:
            return
        if not fds:
            return  # the checker closed the connection
        pid = os.fork()
        if pid == 0:
            ctl.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            code = 0
            try:
                _worker_main(socket.socket(fileno=fds[0]), framework)
            except BaseException:
                code = 1
            os._exit(code)
        os.close(fds[0])
        send(ctl, ("forked", pid))


# -- the worker ------------------------------------------------------------------------------


def _guard(checker: int, worker: int) -> None:
    """In a forked child: kill the worker's process group once the checker or worker is gone."""
    while True:
        time.sleep(0.2)
        try:
            os.kill(checker, 0)
            alive = os.getppid() == worker
        except OSError:
            alive = False
        if not alive:
            with contextlib.suppress(OSError):
                os.killpg(worker, signal.SIGKILL)
            os._exit(0)


def _capture_output() -> int:
    """Send file descriptors 1 and 2 to a private unlinked file; return its descriptor."""
    import tempfile

    fd, path = tempfile.mkstemp(prefix="rtverify-impl-")
    os.unlink(path)
    for target in (1, 2):
        os.dup2(fd, target)
    sys.stdout = open(
        1, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False
    )
    sys.stderr = open(
        2, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False
    )
    return fd


def _worker_main(sock: socket.socket, framework: str) -> None:
    os.setsid()
    init = recv(sock)
    worker = os.getpid()
    if os.fork() == 0:
        sock.close()
        _guard(init["checker"], worker)
    out_fd = _capture_output()
    threads = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    os.environ.clear()
    os.environ.update(init["environ"])  # the caller's environment, as IMPL would see it
    os.environ.update({k: v for k, v in threads.items() if v is not None})
    os.environ["RTVERIFY_WORKER"] = "1"
    sys.path[:] = init["sys_path"]
    with contextlib.suppress(OSError):
        os.chdir(init["cwd"])
    from rtverify.check import adapters
    from rtverify.check.loading import ImplLoadError, load_impl

    adapter = adapters.load(framework)
    adapter.setup(init["dtype"])
    started = time.perf_counter()
    try:
        fn = load_impl(init["impl"])
    except ImplLoadError as exc:
        send(sock, ("load_error", str(exc)))
        return
    runner = _Runner(fn, adapter, out_fd)
    imported = [name for name in ("torch", "jax") if name in sys.modules]
    info = {"seconds": time.perf_counter() - started, "frameworks": imported}
    send(sock, ("loaded", {**info, **runner.take_output()}))
    while True:
        try:
            message = recv(sock)
        except (EOFError, OSError):
            return
        if message[0] != "calls":
            return
        for i, call in enumerate(message[1]):
            try:
                result = runner.run(call)
            except Exception as exc:  # a failure of rtverify's own, reported as such
                from rtverify.check.calls import CallResult

                result = CallResult(error=f"cannot be run by rtverify: {type(exc).__name__}: {exc}")
            send(sock, ("result", i, result))
            if result.error is not None:
                break


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


def _kind(obj: Any) -> str:
    cls = type(obj)
    module = cls.__module__.split(".")[0]
    if module in ("builtins", "numpy"):
        return cls.__name__
    if module in ("jax", "jaxlib"):
        return "jax.Array"
    return f"{module}.{cls.__name__}"


class _Runner:
    """Runs calls of IMPL through the framework adapter."""

    def __init__(self, fn: Any, adapter: Any, out_fd: int) -> None:
        self.fn, self.adapter, self.out_fd = fn, adapter, out_fd
        self.impl = self._noting_rows(fn)  # what the adapters call (one object: JAX caches on it)
        self.offset = 0
        self.functions: dict[Any, Any] = {}
        self.fn_rows = 0  # rows of z the functions handed to IMPL saw in its latest invocation
        self._rows = 0  # ... so far in the current invocation
        self._takes: dict[int, bool] = {}

    def _noting_rows(self, fn: Any) -> Any:
        """IMPL, noting in ``fn_rows`` the rows of z the functions handed to it were evaluated
        at during its latest invocation — per invocation, not per call: a JAX IMPL compiled for
        a call is invoked (traced) several times in that call and not at all in later ones."""

        def impl(*args: Any, **kwargs: Any) -> Any:
            self._rows = 0
            out = fn(*args, **kwargs)
            self.fn_rows = self._rows
            return out

        return impl

    def take_output(self) -> dict[str, Any]:
        """What IMPL wrote since the last call: its first characters and their count."""
        sys.stdout.flush()
        sys.stderr.flush()
        end = os.lseek(self.out_fd, 0, os.SEEK_END)
        text = ""
        if end > self.offset:
            first = os.pread(self.out_fd, min(end - self.offset, _PRINT_KEEP), self.offset)
            text = first.decode("utf-8", errors="backslashreplace")
        n, self.offset = end - self.offset, end
        return {"printed": text, "n_printed": n}

    def _arg(self, a: Any, grad: bool) -> Any:
        import numpy as np

        from rtverify.check.calls import Fn

        if isinstance(a, np.ndarray):
            return self.adapter.array(a, grad)
        if isinstance(a, Fn):
            if a not in self.functions:
                self.functions[a] = self._counted(self.adapter.function(a.code, dict(a.constants)))
            return self.functions[a]
        return a

    def _counted(self, f: Any) -> Any:
        """``f`` counting the rows of z it is evaluated at (into ``self._rows``)."""

        def counted(z: Any) -> Any:
            with contextlib.suppress(Exception):
                shape = tuple(getattr(z, "shape", ()))
                rows = 1
                for n in shape[:-1]:
                    rows *= int(n)
                self._rows += rows
            return f(z)

        return counted

    def takes(self, n: int) -> bool:
        """Whether IMPL's signature has a positional parameter at index ``n`` (not ``*args``);
        False when its signature cannot be read."""
        if n not in self._takes:
            try:
                parameters = inspect.signature(self.fn).parameters.values()
            except (TypeError, ValueError):
                parameters = ()
            kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            self._takes[n] = sum(p.kind in kinds for p in parameters) > n
        return self._takes[n]

    def run(self, call: Any) -> Any:
        import numpy as np

        from rtverify.check.calls import CallResult, IfTaken, Noise

        result = CallResult()
        self.fn_rows = 0
        # where each of call.args lands in IMPL's argument list (the noise goes where the
        # framework's convention puts it: see the adapters' place_noise); an IfTaken argument
        # only if IMPL's signature has a parameter in its place
        noise = next((a.seed for a in call.args if isinstance(a, Noise)), None)
        first = 1 if noise is not None and self.adapter.NOISE_FIRST else 0
        kept = []
        for k, a in enumerate(call.args):
            if isinstance(a, Noise) or (
                isinstance(a, IfTaken) and not self.takes(len(kept) + first)
            ):
                continue
            kept.append(k)
        args = [self._arg(call.args[k], k in call.grad) for k in kept]
        args = [a.value if isinstance(a, IfTaken) else a for a in args]
        offset = 0
        if noise is not None:
            args = self.adapter.place_noise(args, noise)
            offset = 1 if self.adapter.NOISE_FIRST else 0
        position = {k: i + offset for i, k in enumerate(kept)}
        grad = tuple(position[k] for k in call.grad)
        arrays = {k: args[i] for k, i in position.items() if hasattr(args[i], "dtype")}
        copies = {k: self.adapter.snapshot(a) for k, a in arrays.items()}
        if call.global_seed is not None:
            random.seed(call.global_seed)
            np.random.seed(call.global_seed % 2**32)
            self.adapter.seed_globals(call.global_seed)
        started = time.perf_counter()
        try:
            ran = None  # a call drawing noise is one of many: the adapter may compile IMPL
            many = noise is not None or call.many
            if many and hasattr(self.adapter, "run_compiled"):
                ran = self.adapter.run_compiled(self.impl, args, grad, call.cotangent)
            out, grads, note = ran or self.adapter.run(self.impl, args, grad, call.cotangent)
            result.kind = _kind(out)
            result.value, result.dtype = self.adapter.to_numpy(out)
            result.grads, result.grad_note = grads, note
        except BaseException as exc:  # IMPL may raise anything, even SystemExit
            result.error = _describe_exception(exc)
        result.seconds = time.perf_counter() - started
        result.fn_rows = self.fn_rows
        mutated = []
        for k, original in copies.items():
            with contextlib.suppress(Exception):
                if self.adapter.changed(original, arrays[k]):
                    mutated.append(k)
        result.mutated = tuple(mutated)
        captured = self.take_output()
        result.printed, result.n_printed = captured["printed"], captured["n_printed"]
        return result


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "zygote":
        zygote_main(sys.argv[2], int(sys.argv[3]))
