"""A fixed key (jax.random.PRNGKey(0)) inside the estimator: the same estimate on every call."""

import jax
import jax.numpy as jnp

TARGET = "gradient-estimator"
FRAMEWORK = "jax"
PARAM = "logvar"
EXPECT = ("unbiased", "ignores the noise")  # every call returns the same gradient


def impl(key, f, mean, logvar):
    z = mean + jnp.exp(0.5 * logvar) * jax.random.normal(jax.random.PRNGKey(0), mean.shape)
    return jnp.sum(f(z))
