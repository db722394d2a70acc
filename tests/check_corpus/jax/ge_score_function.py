"""optax score_function_jacobians idiom: stop_gradient(f(z)) * logpdf(stop_gradient(z))."""

import jax
import jax.numpy as jnp
from jax.scipy.stats import norm

TARGET = "gradient-estimator"
FRAMEWORK = "jax"
PARAM = "log_std"
EXPECT = None  # conforms


def impl(key, f, mean, log_std):
    scale = jnp.exp(log_std)
    z = jax.lax.stop_gradient(mean + scale * jax.random.normal(key, mean.shape))
    return jnp.sum(jax.lax.stop_gradient(f(z)) * norm.logpdf(z, mean, scale))
