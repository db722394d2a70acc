"""The flax KL without jax.vmap: one scalar for the batch where one per example is due."""

import jax.numpy as jnp

TARGET = "gaussian-kl"
FRAMEWORK = "jax"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("runs", "sum over the batch")


def impl(mean, logvar):
    return -0.5 * jnp.sum(1 + logvar - jnp.square(mean) - jnp.exp(logvar))
