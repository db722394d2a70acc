"""What the checker asks of IMPL and what IMPL did: the messages between judge and worker.

Both sides are framework-free: arrays travel as NumPy arrays, functions as code strings, noise
as seeds. The worker's framework adapter (:mod:`rtverify.check.adapters`) turns a
:class:`Call` into the framework's objects (tensors with ``requires_grad``, a JAX key, a NumPy
``Generator``), calls IMPL, takes gradients with the framework's autograd, and returns a
:class:`CallResult` in NumPy again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Call", "CallResult", "Fn", "IfTaken", "Noise"]


@dataclass(frozen=True, eq=False)
class Fn:
    """A function of ``z`` given to IMPL, built in IMPL's framework.

    ``code`` is an expression in ``z`` over ``exp, log, sin, cos, tanh, sqrt, abs, square,
    softplus, log_sigmoid`` (elementwise), ``sum_last(a)`` (sum over the last axis) and
    ``matvec(W, z)`` (z @ Wᵀ for z of shape (…, D) and W of shape (P, D)), and over the named
    NumPy arrays of ``constants`` (sent in the check's dtype) — e.g. ``"sin(z)"``, or a
    model's log-likelihood ``"-0.5 * sum_last(square(x - matvec(W, z))) + c"`` with x, W, c
    constants. The adapter evaluates it with the framework's operations, so the function is
    differentiable by the framework's autograd.
    """

    code: str
    constants: tuple[tuple[str, np.ndarray], ...] = ()

    def _key(self) -> tuple:
        arrays = tuple((n, a.dtype.str, a.shape, a.tobytes()) for n, a in self.constants)
        return (self.code, arrays)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fn) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


@dataclass(frozen=True)
class Noise:
    """The randomness IMPL draws from, seeded by rtverify: a NumPy ``Generator`` (numpy, passed
    last), the global generator seeded (torch, no argument), a key (jax, passed first)."""

    seed: int


@dataclass(frozen=True)
class IfTaken:
    """A trailing argument passed only if IMPL's signature has a positional parameter in its
    place (``inspect.signature``; a signature that cannot be read, or ``*args`` there, counts
    as not taking it): the issue's ``IMPL(log_joint, mu, p)`` and the older
    ``IMPL(log_joint, mu, p, k)`` both work."""

    value: Any


@dataclass(frozen=True)
class Call:
    """One call of IMPL.

    ``args`` are NumPy arrays (sent in the check's dtype), floats, :class:`Fn` or one
    :class:`Noise`. ``grad`` lists the positions of ``args`` with respect to which gradients are
    taken by the framework's autograd: of ``sum(cotangent * output)`` when ``cotangent`` is
    given, else of the (scalar) output itself. ``global_seed`` seeds ``random``,
    ``numpy.random`` and the framework's global generator before the call. ``many``: the call
    is one of many of the same layout (a statistical test's), so the framework's adapter may
    compile IMPL once for them (JAX: ``jax.jit``), as it does for every call drawing
    :class:`Noise`; an IMPL that cannot be compiled runs as written.
    """

    args: tuple
    grad: tuple[int, ...] = ()
    cotangent: np.ndarray | None = None
    global_seed: int | None = None
    many: bool = False

    def signature(self) -> tuple:
        """Shapes, dtypes and gradient mode: a call with a new signature may compile (JIT)."""
        parts = []
        for a in self.args:
            if isinstance(a, np.ndarray):
                parts.append((a.shape, a.dtype.str))
            else:
                parts.append(type(a).__name__)
        return (tuple(parts), self.grad, self.cotangent is None)


@dataclass
class CallResult:
    """What one call of IMPL did."""

    error: str | None = None  # "raises …", "times out …", "kills the process …"
    kind: str = ""  # type of the returned object: "ndarray", "torch.Tensor", "list", …
    dtype: str = ""  # its element type, framework prefix removed: "float32"
    value: np.ndarray | None = None  # the returned object as a NumPy array (its own dtype)
    grads: tuple[np.ndarray | None, ...] = ()  # one per ``Call.grad`` position
    grad_note: str = ""  # why gradients are missing ("the output carries no gradient", …)
    mutated: tuple[int, ...] = ()  # positions of array arguments changed by the call
    printed: str = ""  # first characters IMPL wrote to stdout or stderr
    n_printed: int = 0
    seconds: float = 0.0  # reported, never judged
    notes: list[str] = field(default_factory=list)
    #: rows of z (its size over all axes but the last) at which IMPL evaluated the Fn arguments
    fn_rows: int = 0

    def problem(self, due: tuple[int, ...], *, allow_unit: bool = False) -> str | None:
        """What is wrong with the call when an array of shape ``due`` is due ("shape" when
        only the shape is wrong: the target says why), or None. ``allow_unit``: a scalar due
        may come as shape (1,) or (1, 1) (``keepdim=True``), judged on its value."""
        if self.error is not None:
            return self.error
        if self.kind == "NoneType":
            return "returns None (a missing return statement?)"
        if self.kind in ("list", "tuple", "dict"):
            return f"returns a {self.kind}, not an array"
        if self.value is None:
            return f"returns a {self.kind}, not a numeric array"
        if self.value.dtype.kind == "c":
            return f"returns complex values ({self.dtype})"
        if due and self.kind in ("float", "int"):
            return f"returns a scalar {self.kind} where an array of shape {due} is due"
        shape = tuple(self.value.shape)
        if shape == due or (allow_unit and due == () and self.value.size == 1):
            return None
        return "shape"
