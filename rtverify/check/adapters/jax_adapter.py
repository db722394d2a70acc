"""JAX adapter: IMPL receives jax arrays (x64 turned on for float64), its randomness as a
``jax.random.PRNGKey`` passed first; gradients are taken with ``jax.vjp``."""

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
