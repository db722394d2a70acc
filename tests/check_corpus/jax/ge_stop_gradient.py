"""jax.lax.stop_gradient on z inside a pathwise objective: the surrogate has gradient 0."""

import jax
import jax.numpy as jnp

TARGET = "gradient-estimator"
FRAMEWORK = "jax"
PARAM = "logvar"
EXPECT = ("gradients flow", "the gradient is 0")


def impl(key, f, mean, logvar):
    z = mean + jnp.exp(0.5 * logvar) * jax.random.normal(key, mean.shape)
    return jnp.sum(f(jax.lax.stop_gradient(z)))
