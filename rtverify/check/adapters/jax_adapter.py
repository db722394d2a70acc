"""JAX adapter: IMPL receives jax arrays (x64 turned on for float64), its randomness as a
``jax.random.PRNGKey`` passed first; gradients are taken with ``jax.vjp``.

A call that passes a key (a sampler or estimator, called many times with fresh keys) runs as
JAX code runs in training: ``jax.jit`` of IMPL and its vjp, traced once per layout of the
arguments (:func:`run_compiled`), so every such call of a check runs the same compiled code.
IMPL that cannot be traced (a NumPy round trip, Python control flow on values, a non-array
output) runs eagerly instead, where :func:`run` says what is wrong with it.
"""

from __future__ import annotations

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


_compiled: dict[tuple, Any] = {}  # (IMPL, argument layout, grad) -> jitted function or None


class _Untraceable(Exception):
    """IMPL's output is not an array of the shape the call needs: run it eagerly."""


def run_compiled(
    fn: Any, args: list, grad: tuple[int, ...], cotangent: Any
) -> tuple[Any, tuple, str] | None:
    """:func:`run` under ``jax.jit`` (IMPL and its vjp traced once per layout of the
    arguments); ``None`` when IMPL cannot be traced, so that the caller runs it eagerly."""
    dynamic = tuple(k for k, a in enumerate(args) if isinstance(a, jax.Array))
    fixed = tuple(
        (k, a if isinstance(a, (int, float, str)) else id(a))
        for k, a in enumerate(args)
        if k not in dynamic
    )
    key = (id(fn), dynamic, fixed, grad, cotangent is None)
    if key not in _compiled:
        _compiled[key] = _jitted(fn, args, dynamic, grad, cotangent is None)
    compiled = _compiled[key]
    if compiled is None:
        return None
    arrays = [args[k] for k in dynamic]
    if cotangent is not None:
        arrays.append(jnp.asarray(cotangent))
    try:
        out, grads = compiled(*arrays)
    except Exception:  # a failure of the traced code is reported by the eager run
        _compiled[key] = None
        return None
    return out, tuple(np.array(g, copy=True) for g in grads), ""


def _jitted(fn: Any, args: list, dynamic: tuple, grad: tuple, scalar: bool) -> Any:
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

    return jax.jit(value_and_grads)  # traced at its first call (a failure: run eagerly)


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
