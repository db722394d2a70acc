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


def traced_jax(key, f, mu, logvar):
    import jax
    import jax.numpy as jnp

    print("traced")  # once per Python run: a few per compilation, not once per call
    z = mu + jnp.exp(0.5 * logvar) * jax.random.normal(key, mu.shape, mu.dtype)
    return jnp.sum(f(z))


def counting_jax(key, f, mu, logvar):
    """Keeps state while traced (its output counts its Python runs): jax.jit would freeze it."""
    import jax
    import jax.numpy as jnp

    COUNT.append(1)
    z = mu + jnp.exp(0.5 * logvar) * jax.random.normal(key, mu.shape, mu.dtype)
    return len(COUNT) + 1e-30 * jnp.sum(f(z))


COUNT = []


def per_sample_jax(f, df, mu, sigma, eps):
    import jax
    import jax.numpy as jnp

    print("traced")
    grads = jax.vmap(jax.grad(lambda m, s, e: f(m + s * e), argnums=(0, 1)), (None, None, 0))(
        jnp.asarray(mu, eps.dtype), jnp.asarray(sigma, eps.dtype), eps
    )
    return jnp.stack(grads, axis=-1)


def host_random_jax(f, df, mu, sigma, eps):
    """Draws from NumPy's global generator: jax.jit would freeze one draw for every call."""
    import jax.numpy as jnp
    import numpy as np

    return jnp.stack([df(mu + sigma * eps), jnp.asarray(np.random.rand(*eps.shape))], axis=-1)


def roundtrip_jax(key, mu):
    """Not traceable (a NumPy round trip): under jax.jit it raises; eagerly it runs."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    return jnp.asarray(np.asarray(mu + jax.random.normal(key, mu.shape, mu.dtype)))
