"""optax pathwise_jacobians idiom as a surrogate: f(mean + exp(0.5 logvar) * normal(key))."""

import jax
import jax.numpy as jnp

TARGET = "gradient-estimator"
FRAMEWORK = "jax"
PARAM = "logvar"
EXPECT = None  # conforms
DEFAULT = True


def impl(key, f, mean, logvar):
    z = mean + jnp.exp(0.5 * logvar) * jax.random.normal(key, mean.shape)
    return jnp.sum(f(z))
