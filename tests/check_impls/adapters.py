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
