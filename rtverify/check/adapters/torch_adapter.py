"""PyTorch adapter: IMPL receives CPU tensors (``requires_grad=True`` where the target takes a
gradient); its randomness is torch's global generator, seeded by rtverify; gradients are taken
with ``torch.autograd.grad``."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rtverify.check.adapters import build_function
from rtverify.check.adapters.numpy_adapter import generic_to_numpy

name = "torch"
NOISE_FIRST = False  # the global generator, seeded: no argument


def setup(dtype: str) -> None:
    """Nothing to configure: each tensor carries its dtype."""


def array(a: np.ndarray, grad: bool) -> Any:
    t = torch.from_numpy(a.copy())
    return t.requires_grad_(True) if grad else t


def function(code: str, constants: dict | None = None) -> Any:
    ops = {
        "square": torch.square,
        "softplus": torch.nn.functional.softplus,
        "log_sigmoid": torch.nn.functional.logsigmoid,
        "sum_last": lambda a: torch.sum(a, dim=-1),
        "matvec": lambda w, z: z @ w.T,
    }
    arrays = {k: array(v, False) for k, v in (constants or {}).items()}
    return build_function(code, torch, {**ops, **arrays})


def place_noise(args: list, seed: int) -> list:
    torch.manual_seed(seed)
    return list(args)


def seed_globals(seed: int) -> None:
    torch.manual_seed(seed)


def _why_none(out: Any) -> str:
    if isinstance(out, torch.Tensor) and not out.requires_grad:
        return "the output carries no gradient (requires_grad is False)"
    return ""


def run(fn: Any, args: list, grad: tuple[int, ...], cotangent: Any) -> tuple[Any, tuple, str]:
    out = fn(*args)
    if not grad:
        return out, (), ""
    if not isinstance(out, torch.Tensor):
        return out, tuple(None for _ in grad), f"the output is a {type(out).__name__}, not a tensor"
    why = _why_none(out)
    if why:
        return out, tuple(None for _ in grad), why
    inputs = [args[k] for k in grad]
    if cotangent is None:
        if out.numel() != 1:
            note = f"the output has shape {tuple(out.shape)}, not a scalar to differentiate"
            return out, tuple(None for _ in grad), note
        target, seed_grad = out.reshape(()), None
    else:
        w = torch.from_numpy(np.asarray(cotangent)).to(out.dtype)
        if tuple(w.shape) != tuple(out.shape):
            note = f"the output has shape {tuple(out.shape)}, not {tuple(w.shape)}"
            return out, tuple(None for _ in grad), note
        target, seed_grad = out, w
    grads = torch.autograd.grad(target, inputs, grad_outputs=seed_grad, allow_unused=True)
    return out, tuple(None if g is None else g.detach().numpy().copy() for g in grads), ""


def to_numpy(obj: Any) -> tuple[np.ndarray | None, str]:
    if isinstance(obj, torch.Tensor):
        if obj.is_complex():
            return obj.detach().cpu().numpy().copy(), str(obj.dtype).removeprefix("torch.")
        t = obj.detach().cpu()
        dtype = str(t.dtype).removeprefix("torch.")
        if t.dtype in (torch.float16, torch.bfloat16):
            t = t.to(torch.float32)  # NumPy has no bfloat16; the dtype name is kept
        return t.numpy().copy(), dtype
    return generic_to_numpy(obj)


def snapshot(a: Any) -> Any:
    return a.detach().clone()


def changed(before: Any, after: Any) -> bool:
    b = before.detach().numpy()
    a = after.detach().numpy()
    return bool(a.shape != b.shape or a.tobytes() != b.tobytes())
