"""flax examples/vae reparameterize with rtverify's eps: mean + eps * exp(0.5 * logvar)."""

import jax.numpy as jnp

TARGET = "reparam-sample"
FRAMEWORK = "jax"
PARAM = "logvar"
EXPECT = None  # conforms
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework


def impl(mean, logvar, eps):
    std = jnp.exp(0.5 * logvar)
    return mean + eps * std
