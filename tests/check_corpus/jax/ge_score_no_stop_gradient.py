"""Score function without stop_gradient on z: log q of a reparameterized z, whose eps is fixed."""

import jax
import jax.numpy as jnp
from jax.scipy.stats import norm

TARGET = "gradient-estimator"
FRAMEWORK = "jax"
PARAM = "logvar"
EXPECT = ("unbiased", "biased")


def impl(key, f, mean, logvar):
    scale = jnp.exp(0.5 * logvar)
    z = mean + scale * jax.random.normal(key, mean.shape)
    return jnp.sum(jax.lax.stop_gradient(f(z)) * norm.logpdf(z, mean, scale))
