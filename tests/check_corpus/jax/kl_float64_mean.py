"""A jax KL with x64 on: per-example sum, jnp.mean over the batch."""

import jax.numpy as jnp

TARGET = "gaussian-kl"
FRAMEWORK = "jax"
DTYPE = "float64"
PARAM = "logvar"
REDUCTION = "mean"
EXPECT = None  # conforms


def impl(mean, logvar):
    return jnp.mean(0.5 * jnp.sum(mean**2 + jnp.exp(logvar) - 1.0 - logvar, axis=-1))
