"""NumPy adapter: IMPL receives NumPy arrays; noise as a ``numpy.random.Generator`` (last)."""

from __future__ import annotations

from typing import Any

import numpy as np

from rtverify.check.adapters import build_function

name = "numpy"
NOISE_FIRST = False  # a Generator, passed last


def setup(dtype: str) -> None:
    """Nothing to configure."""


def array(a: np.ndarray, grad: bool) -> np.ndarray:
    return a.copy()


def function(code: str, constants: dict | None = None) -> Any:
    ops = {
        "square": np.square,
        "softplus": lambda a: np.logaddexp(0.0, a),
        "log_sigmoid": lambda a: -np.logaddexp(0.0, -a),
        "sum_last": lambda a: np.sum(a, axis=-1),
        "matvec": lambda w, z: z @ w.T,
    }
    arrays = {k: array(v, False) for k, v in (constants or {}).items()}
    return build_function(code, np, {**ops, **arrays})


def place_noise(args: list, seed: int) -> list:
    return [*args, np.random.default_rng(seed)]


def seed_globals(seed: int) -> None:
    """Nothing beyond ``numpy.random``, seeded by the worker."""


def run(fn: Any, args: list, grad: tuple[int, ...], cotangent: Any) -> tuple[Any, tuple, str]:
    note = "NumPy has no autograd: no gradient taken" if grad else ""
    return fn(*args), tuple(None for _ in grad), note


def to_numpy(obj: Any) -> tuple[np.ndarray | None, str]:
    return generic_to_numpy(obj)


def generic_to_numpy(obj: Any) -> tuple[np.ndarray | None, str]:
    """A returned object as a NumPy array and its dtype name; (None, "") if not numeric."""
    if obj is None or isinstance(obj, (str, bytes, dict)):
        return None, ""
    try:
        value = np.asarray(obj)
    except Exception:
        return None, ""
    if value.dtype.kind not in "biufc":
        return None, str(value.dtype)
    return np.array(value, copy=True), str(value.dtype)


def snapshot(a: Any) -> Any:
    return a.copy()


def changed(before: Any, after: Any) -> bool:
    """Whether an argument array was changed in place (bitwise, NaN-safe)."""
    return bool(after.shape != before.shape or after.tobytes() != before.tobytes())
