"""jax.lax.stop_gradient on the sample (a straight copy of an evaluation-time sampler)."""

import jax
import jax.numpy as jnp

TARGET = "rsample"
FRAMEWORK = "jax"
PARAM = "logvar"
EXPECT = ("gradient", "is 0")


def impl(key, mean, logvar):
    z = mean + jax.random.normal(key, mean.shape) * jnp.exp(0.5 * logvar)
    return jax.lax.stop_gradient(z)
