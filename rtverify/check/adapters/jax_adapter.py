"""JAX adapter: IMPL receives jax arrays (x64 turned on for float64), its randomness as a
``jax.random.PRNGKey`` passed first; gradients are taken with ``jax.vjp``.

A call that passes a key (a sampler or estimator, called many times with fresh keys), or is
marked as one of many of its layout (``Call.many``: the per-sample estimators' calls), runs as
JAX code runs in training: ``jax.jit`` of IMPL and its vjp, traced once per layout of the
arguments (:func:`run_compiled`), so every such call of a check runs the same compiled code.
IMPL that cannot be traced (a NumPy round trip, Python control flow on values, a non-array
output) runs eagerly instead, where :func:`run` says what is wrong with it; so does IMPL whose
two traces differ (host randomness or state, which ``jax.jit`` would freeze: :func:`_pure`).
"""

from __future__ import annotations

import re
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from rtverify.check.adapters import build_function
from rtverify.check.adapters.numpy_adapter import generic_to_numpy

name = "jax"
NOISE_FIRST = True  # a key, passed first


def setup(dtype: str) -> None:
    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)


def array(a: np.ndarray, grad: bool) -> Any:
    return jnp.asarray(a)


def function(code: str, constants: dict | None = None) -> Any:
    ops = {
        "square": jnp.square,
        "softplus": jax.nn.softplus,
        "log_sigmoid": jax.nn.log_sigmoid,
        "sum_last": lambda a: jnp.sum(a, axis=-1),
        "matvec": lambda w, z: z @ w.T,
    }
    arrays = {k: array(v, False) for k, v in (constants or {}).items()}
    return build_function(code, jnp, {**ops, **arrays})


def place_noise(args: list, seed: int) -> list:
    return [jax.random.PRNGKey(seed), *args]


def seed_globals(seed: int) -> None:
    """JAX has no global random state."""


def run(fn: Any, args: list, grad: tuple[int, ...], cotangent: Any) -> tuple[Any, tuple, str]:
    if not grad:
        return fn(*args), (), ""

    def restricted(*free: Any) -> Any:
        full = list(args)
        for k, v in zip(grad, free, strict=True):
            full[k] = v
        return fn(*full)

    out, vjp = jax.vjp(restricted, *[args[k] for k in grad])
    if not hasattr(out, "shape"):
        return out, tuple(None for _ in grad), f"the output is a {type(out).__name__}"
    if cotangent is None:
        if out.size != 1:
            note = f"the output has shape {tuple(out.shape)}, not a scalar to differentiate"
            return out, tuple(None for _ in grad), note
        w = jnp.ones_like(out)
    else:
        w = jnp.asarray(cotangent, dtype=out.dtype)
        if tuple(w.shape) != tuple(out.shape):
            note = f"the output has shape {tuple(out.shape)}, not {tuple(w.shape)}"
            return out, tuple(None for _ in grad), note
    grads = vjp(w)
    return out, tuple(np.array(g, copy=True) for g in grads), ""


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")  # a function's address, printed in a jaxpr
_compiled: dict[tuple, Any] = {}  # (IMPL, argument layout, grad) -> jitted function or None


class _Untraceable(Exception):
    """IMPL's output is not an array of the shape the call needs: run it eagerly."""


def run_compiled(
    fn: Any, args: list, grad: tuple[int, ...], cotangent: Any
) -> tuple[Any, tuple, str] | None:
    """:func:`run` under ``jax.jit`` (IMPL and its vjp traced once per layout of the
    arguments); ``None`` when IMPL cannot be traced or two traces differ (:func:`_pure`), so
    that the caller runs it eagerly."""
    dynamic = tuple(k for k, a in enumerate(args) if isinstance(a, jax.Array))
    fixed = tuple(
        (k, a if isinstance(a, (int, float, str)) else id(a))
        for k, a in enumerate(args)
        if k not in dynamic
    )
    key = (id(fn), dynamic, fixed, grad, cotangent is None)
    arrays = [args[k] for k in dynamic]
    if cotangent is not None:
        arrays.append(jnp.asarray(cotangent))
    if key not in _compiled:
        body = _body(fn, args, dynamic, grad, cotangent is None)
        _compiled[key] = jax.jit(body) if _pure(body, arrays) else None
    compiled = _compiled[key]
    if compiled is None:
        return None
    try:
        out, grads = compiled(*arrays)
    except Exception:  # a failure of the traced code is reported by the eager run
        _compiled[key] = None
        return None
    return out, tuple(np.array(g, copy=True) for g in grads), ""


def _pure(body: Any, arrays: list) -> bool:
    """Whether two traces of IMPL give the same program: one that draws host randomness
    (``np.random``, ``random``) or keeps state while traced would be frozen by ``jax.jit``
    into one draw for every call — such IMPL runs eagerly, every call as written, as does IMPL
    that cannot be traced at all (the eager run says what is wrong with it)."""
    try:
        # a new function each time: JAX caches the trace of one function
        one, two = (jax.make_jaxpr(lambda *a: body(*a))(*arrays) for _ in range(2))
    except Exception:
        return False
    if _ADDRESS.sub("", str(one)) != _ADDRESS.sub("", str(two)):
        return False
    if len(one.consts) != len(two.consts):
        return False
    return all(
        np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
        for a, b in zip(one.consts, two.consts, strict=True)
    )


def _body(fn: Any, args: list, dynamic: tuple, grad: tuple, scalar: bool) -> Any:
    """IMPL and its vjp as a function of the call's arrays (the other arguments fixed)."""
    template = list(args)

    def value_and_grads(*arrays: Any) -> tuple[Any, tuple]:
        full = list(template)
        for k, a in zip(dynamic, arrays, strict=False):
            full[k] = a

        def restricted(*free: Any) -> Any:
            for k, v in zip(grad, free, strict=True):
                full[k] = v
            return fn(*full)

        if not grad:
            out = fn(*full)
            if not isinstance(out, jax.Array):
                raise _Untraceable  # the eager run reports what IMPL returns
            return out, ()
        out, vjp = jax.vjp(restricted, *[full[k] for k in grad])
        if not isinstance(out, jax.Array) or not jnp.issubdtype(out.dtype, jnp.floating):
            raise _Untraceable
        if scalar and out.size != 1:
            raise _Untraceable
        w = jnp.ones_like(out) if scalar else arrays[-1].astype(out.dtype)
        if tuple(w.shape) != tuple(out.shape):
            raise _Untraceable
        return out, vjp(w)

    return value_and_grads


def to_numpy(obj: Any) -> tuple[np.ndarray | None, str]:
    if isinstance(obj, jax.Array):
        value = np.array(obj, copy=True)
        if value.dtype.kind not in "biufc":  # bfloat16 and friends
            return value.astype(np.float32), str(obj.dtype)
        return value, str(obj.dtype)
    return generic_to_numpy(obj)


def snapshot(a: Any) -> Any:
    return a  # immutable


def changed(before: Any, after: Any) -> bool:
    return False  # jax arrays are immutable
