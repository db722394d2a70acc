"""flax examples/vae: jax.vmap of -0.5 * sum(1 + logvar - mean^2 - exp(logvar)), float32."""

import jax
import jax.numpy as jnp

TARGET = "gaussian-kl"
FRAMEWORK = "jax"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework


@jax.vmap
def impl(mean, logvar):
    return -0.5 * jnp.sum(1 + logvar - jnp.square(mean) - jnp.exp(logvar))
