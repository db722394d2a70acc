"""The libraries' own reparameterized samplers, as audit cases see them (torch and jax imported
only inside these functions; the core of rtverify never imports them).

Each ``draw_*`` returns a :class:`Draw`: the returned samples as float64 (exactly the values the
library returned), the per-sample autograd gradients, and -- for JAX's Beta and Dirichlet -- the
hidden log-Gammas the reference needs (``rtverify.audit`` computes the reference). ``seed``
fixes the library's random stream, so a draw repeats exactly.

- torch Gamma(α), Chi2(df), Beta(a, b), Dirichlet(α): one parameter per sample (a batch of n
  copies), backward of ``z.sum()``: the parameter's ``.grad`` holds each dz_i/dθ_i. Torch's Beta
  is Dirichlet([a, b])[0] and its Dirichlet gradient is the Beta-marginal field
  (``rtverify.implicit.dirichlet_jacobian``).
- jax.random.gamma, beta, dirichlet: ``vmap`` over split keys of ``grad`` / ``jacfwd``. JAX's
  Beta and Dirichlet normalise Gammas drawn with ``loggamma``; their gradients depend on those
  hidden Gammas, which are redrawn here from the same keys (``split`` then ``loggamma``, as in
  ``jax._src.random``) and checked to reproduce the returned sample.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

__all__ = ["SAMPLERS", "Draw"]


@dataclass
class Draw:
    """Samples (n,) or (n, K); library gradients per parameter ((n,), or (n, K, K) Jacobians
    ∂x_j/∂α_i); hidden log-Gammas (n, K) when the gradient depends on them."""

    z: np.ndarray
    grads: dict[str, np.ndarray]
    log_gammas: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)


def _torch_dtype(dtype: str):
    import torch

    return {"float32": torch.float32, "float64": torch.float64}[dtype]


def _torch_batch(values, n, dtype):
    import torch

    return [
        torch.full((n,), float(v), dtype=_torch_dtype(dtype), requires_grad=True) for v in values
    ]


def draw_torch_gamma(alpha: float, n: int, dtype: str, seed: int) -> Draw:
    import torch

    torch.manual_seed(seed)
    (conc,) = _torch_batch([alpha], n, dtype)
    z = torch.distributions.Gamma(conc, torch.ones_like(conc)).rsample()
    z.sum().backward()
    z64 = z.detach().double().numpy()
    return Draw(z64, {"alpha": conc.grad.double().numpy()})


def draw_torch_chi2(df: float, n: int, dtype: str, seed: int) -> Draw:
    """z = 2 G with G ∼ Gamma(df/2, 1): dz/d df = (dG/dα)(z/2; df/2)."""
    import torch

    torch.manual_seed(seed)
    (d,) = _torch_batch([df], n, dtype)
    z = torch.distributions.Chi2(d).rsample()
    z.sum().backward()
    z64 = z.detach().double().numpy()
    return Draw(z64, {"df": d.grad.double().numpy()})


def draw_torch_beta(a: float, b: float, n: int, dtype: str, seed: int) -> Draw:
    import torch

    torch.manual_seed(seed)
    ta, tb = _torch_batch([a, b], n, dtype)
    z = torch.distributions.Beta(ta, tb).rsample()
    z.sum().backward()
    z64 = z.detach().double().numpy()
    return Draw(z64, {"a": ta.grad.double().numpy(), "b": tb.grad.double().numpy()})


def draw_torch_dirichlet(alpha: tuple[float, ...], n: int, dtype: str, seed: int) -> Draw:
    import torch

    torch.manual_seed(seed)
    conc = torch.tensor(alpha, dtype=_torch_dtype(dtype)).repeat(n, 1).requires_grad_(True)
    x = torch.distributions.Dirichlet(conc).rsample()
    k = len(alpha)
    jac = np.empty((n, k, k))
    for j in range(k):
        (g,) = torch.autograd.grad(x[:, j].sum(), conc, retain_graph=j < k - 1)
        jac[:, :, j] = g.double().numpy()  # ∂x_j/∂α_i
    return Draw(x.detach().double().numpy(), {"alpha": jac})


def _jax(dtype: str):
    import jax

    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    return jax, jnp, getattr(jnp, dtype)


#: Branches of the JAX program, in the order of its switch index.
_JAX_FAMILIES = ("gamma", "beta", "dirichlet")
#: Coordinates of the program's outputs when no Dirichlet sets them (a Gamma or Beta call).
_JAX_SLOTS = 3


def _jax_family(family: str, dtype: str):
    """The vmapped per-sample program of one family: (z, gradients, hidden log-Gammas)."""
    jax, jnp, dt = _jax(dtype)

    def loggamma(key, c):
        return jax.random.loggamma(key, c, dtype=dt)

    if family == "gamma":

        def one(key, a):
            z, g = jax.value_and_grad(lambda s: jax.random.gamma(key, s, dtype=dt))(a)
            return z, (g,), jnp.zeros((0,), dt)

    elif family == "beta":

        def one(key, a, b):
            z, g = jax.value_and_grad(
                lambda s, t: jax.random.beta(key, s, t, dtype=dt), argnums=(0, 1)
            )(a, b)
            key_a, key_b = jax.random.split(key)  # as jax.random.beta splits its key
            return z, g, jnp.stack([loggamma(key_a, a), loggamma(key_b, b)])

    else:

        def one(key, c):
            x = jax.random.dirichlet(key, c, dtype=dt)
            jac = jax.jacfwd(lambda s: jax.random.dirichlet(key, s, dtype=dt))(c)
            return x, (jac.T,), loggamma(key, c)  # jac.T[i, j] = ∂x_j/∂α_i

    return jax.vmap(one)


@functools.cache
def _jax_program(dtype: str):
    """One jitted program per dtype for the three families: ``lax.switch`` on the family's
    index runs that family's vmapped program alone, unchanged (its outputs are bit for bit
    those of the family compiled by itself). XLA compiles it once, in about three quarters
    of the time the three programs take apart (most of a JAX audit's time).

    Arguments (index, keys (n,), a (n,), b (n,), c (n, K)); a branch reads its own.
    Outputs in K slots: z (n, K), gradients (n, K, K), hidden log-Gammas (n, K); a Gamma or
    Beta sample in z[:, 0], its gradient in g[:, i, 0] for its i-th parameter."""
    jax, jnp, dt = _jax(dtype)

    def slots(z, grads, log_g, k):
        n = z.shape[0]
        if z.ndim == 2:  # the Dirichlet: already (n, K), (n, K, K), (n, K)
            return z, grads[0], log_g
        g = jnp.zeros((n, k, k), dt)
        for i, gi in enumerate(grads):
            g = g.at[:, i, 0].set(gi)
        hidden = jnp.zeros((n, k), dt).at[:, : log_g.shape[-1]].set(log_g)
        return jnp.zeros((n, k), dt).at[:, 0].set(z), g, hidden

    def branch(family):
        program = _jax_family(family, dtype)
        params = {"gamma": lambda a, b, c: (a,), "beta": lambda a, b, c: (a, b)}
        params = params.get(family, lambda a, b, c: (c,))
        return lambda keys, a, b, c: slots(*program(keys, *params(a, b, c)), c.shape[-1])

    def program(index, keys, a, b, c):
        return jax.lax.switch(index, [branch(f) for f in _JAX_FAMILIES], keys, a, b, c)

    return jax.jit(program)


def _draw_jax(family: str, params: tuple, n: int, dtype: str, seed: int, names) -> Draw:
    jax, jnp, dt = _jax(dtype)
    keys = jax.random.split(jax.random.key(seed), n)
    a = b = jnp.ones((n,), dt)
    c = jnp.ones((n, _JAX_SLOTS), dt)
    if family == "dirichlet":
        c = jnp.tile(jnp.asarray(params[0], dtype=dt), (n, 1))
    elif family == "beta":
        a, b = (jnp.full((n,), v, dtype=dt) for v in params)
    else:
        a = jnp.full((n,), params[0], dtype=dt)
    out = _jax_program(dtype)(_JAX_FAMILIES.index(family), keys, a, b, c)
    z, g, log_g = (np.asarray(v, dtype=np.float64) for v in out)
    if family == "dirichlet":
        grads = {names[0]: g}
    else:
        z = z[:, 0]
        grads = {name: g[:, i, 0] for i, name in enumerate(names)}
    if family == "gamma":
        return Draw(z, grads)
    log_g = log_g[:, :2] if family == "beta" else log_g
    notes: list[str] = []
    _reproduced(np.stack([z, 1 - z], -1) if family == "beta" else z, log_g, notes)
    return Draw(z, grads, log_g, notes)


def _reproduced(z, log_g, note: list[str]) -> None:
    """Note when the redrawn hidden Gammas do not give back the returned samples."""
    shift = log_g.max(-1, keepdims=True)
    w = np.exp(log_g - shift)
    gap = float(np.max(np.abs(w / w.sum(-1, keepdims=True) - z))) if z.size else 0.0
    if gap > 1e-5:
        note.append(f"hidden Gammas reproduce the samples only to {gap:.1e}")


def draw_jax_gamma(alpha: float, n: int, dtype: str, seed: int) -> Draw:
    return _draw_jax("gamma", (alpha,), n, dtype, seed, ("alpha",))


def draw_jax_beta(a: float, b: float, n: int, dtype: str, seed: int) -> Draw:
    return _draw_jax("beta", (a, b), n, dtype, seed, ("a", "b"))


def draw_jax_dirichlet(alpha: tuple[float, ...], n: int, dtype: str, seed: int) -> Draw:
    return _draw_jax("dirichlet", (alpha,), n, dtype, seed, ("alpha",))


def draw_torch_relaxed(logits: tuple[float, ...], tau: float, n: int, dtype: str, seed: int):
    """torch RelaxedOneHotCategorical(τ, logits): samples y (n, K) and the gradient of
    y[:, 0].sum() with respect to the (n, K) logits (finite and non-zero: gradients flow)."""
    import torch

    torch.manual_seed(seed)
    lg = torch.tensor(logits, dtype=_torch_dtype(dtype)).repeat(n, 1).requires_grad_(True)
    y = torch.distributions.RelaxedOneHotCategorical(torch.tensor(tau), logits=lg).rsample()
    y[:, 0].sum().backward()
    return Draw(y.detach().double().numpy(), {"logits": lg.grad.double().numpy()})


#: (library, family) -> draw function(params..., n, dtype, seed)
SAMPLERS = {
    ("torch", "gamma"): draw_torch_gamma,
    ("torch", "chi2"): draw_torch_chi2,
    ("torch", "beta"): draw_torch_beta,
    ("torch", "dirichlet"): draw_torch_dirichlet,
    ("torch", "gumbel-softmax"): draw_torch_relaxed,
    ("jax", "gamma"): draw_jax_gamma,
    ("jax", "beta"): draw_jax_beta,
    ("jax", "dirichlet"): draw_jax_dirichlet,
}
