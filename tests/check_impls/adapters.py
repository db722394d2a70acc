"""Tiny implementations exercising the adapters (used by test_check_adapters)."""

import importlib


def _namespace(a):
    module = type(a).__module__.split(".")[0]
    return importlib.import_module(
        {"torch": "torch", "jax": "jax.numpy", "jaxlib": "jax.numpy"}.get(module, "numpy")
    )


def apply_model(loglik, mu, logvar, eps):
    xp = _namespace(mu)
    return loglik(mu + xp.exp(0.5 * logvar) * eps)


def noise_numpy(mu, rng):
    return mu + rng.standard_normal(mu.shape).astype(mu.dtype)


def noise_torch(mu):
    import torch

    return mu + torch.randn_like(mu)


def noise_jax(key, mu):
    import jax

    return mu + jax.random.normal(key, mu.shape, mu.dtype)


TRACES = []  # Python executions of traced_jax: once per compilation, not once per call


def traced_jax(key, f, mu, logvar):
    import jax
    import jax.numpy as jnp

    TRACES.append(1)
    z = mu + jnp.exp(0.5 * logvar) * jax.random.normal(key, mu.shape, mu.dtype)
    return len(TRACES) + 1e-30 * jnp.sum(f(z))  # the number of Python runs so far


def roundtrip_jax(key, mu):
    """Not traceable (a NumPy round trip): under jax.jit it raises; eagerly it runs."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    return jnp.asarray(np.asarray(mu + jax.random.normal(key, mu.shape, mu.dtype)))
