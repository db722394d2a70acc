"""Framework adapters: what IMPL receives and how its gradients are taken.

An adapter runs inside the worker process (never in the checker) and knows one framework:

- ``setup(dtype)``: configure the framework (JAX: ``jax_enable_x64`` for float64);
- ``array(a, grad)``: a NumPy array as the framework's array of the same dtype (torch: a CPU
  tensor, ``requires_grad=grad``);
- ``function(code)``: an elementwise function of ``z`` (a :class:`~rtverify.check.calls.Fn`
  expression) written with the framework's operations, so that its autograd sees through it;
- ``place_noise(args, seed)``: the argument list with the seeded randomness put where the
  framework's convention wants it (numpy: a ``Generator`` last; torch: the global generator
  seeded, nothing passed; jax: a key first);
- ``seed_globals(seed)``: seed the framework's global generator;
- ``run(fn, args, grad, cotangent)``: call IMPL and take gradients → (output, grads, note);
- ``to_numpy(obj)``: the returned object as a NumPy array (or None) and its dtype name.

The check core and the targets never import a framework: they name one by its string.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "DEFAULT_DTYPE",
    "FRAMEWORKS",
    "HINT_MODULES",
    "JIT_ALLOWANCE",
    "NO_GRADIENT_HINT",
    "load",
]

#: The frameworks IMPL may be written in, and the precision each receives by default (the
#: framework's own default dtype).
DEFAULT_DTYPE = {"numpy": "float64", "torch": "float32", "jax": "float32"}
FRAMEWORKS = tuple(DEFAULT_DTYPE)
#: Extra seconds the first call of each new argument signature may take (JAX compiles for each
#: new shape; torch builds its first graph). Here, not in the adapters: the checker never
#: imports a framework.
JIT_ALLOWANCE = {"numpy": 0.0, "torch": 5.0, "jax": 30.0}
#: What a missing or zero gradient usually means, in each framework's words.
NO_GRADIENT_HINT = {
    "numpy": "",
    "torch": ".sample() instead of .rsample(), a .detach(), torch.no_grad() or a NumPy round trip?",
    "jax": "jax.lax.stop_gradient, or a NumPy round trip (np.asarray) inside?",
}
#: The top-level module whose presence in IMPL's module suggests each framework.
HINT_MODULES = {"torch": "torch", "jax": "jax"}


def load(framework: str) -> Any:
    """The adapter module of ``framework`` (imports the framework itself)."""
    if framework not in DEFAULT_DTYPE:
        raise ValueError(f"unknown framework {framework!r}; choose one of {', '.join(FRAMEWORKS)}")
    return importlib.import_module(f"rtverify.check.adapters.{framework}_adapter")


FUNCTIONS = ("exp", "log", "sin", "cos", "tanh", "sqrt", "abs")


def build_function(code: str, namespace: Any, extra: dict | None = None) -> Any:
    """``lambda z: <code>`` over the functions of ``namespace`` (numpy, torch, jax.numpy) and
    ``extra`` (the framework's ``square``, ``softplus``, ``log_sigmoid``, ``sum_last``,
    ``matvec`` and the call's constants)."""
    names = {name: getattr(namespace, name) for name in FUNCTIONS}
    names.update(extra or {})
    compiled = compile(code, f"<rtverify f: {code}>", "eval")

    def f(z: Any) -> Any:
        return eval(compiled, {"__builtins__": {}}, {**names, "z": z})

    f.__name__ = f.__qualname__ = "f"
    f.__doc__ = f"f(z) = {code}"
    return f
