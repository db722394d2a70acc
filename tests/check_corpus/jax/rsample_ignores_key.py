"""PriorCVAE_JAX's TODO: rng_key = jax.random.PRNGKey(0) inside the model, the given key ignored."""

import jax
import jax.numpy as jnp

TARGET = "rsample"
FRAMEWORK = "jax"
PARAM = "logvar"
EXPECT = ("same seed", "another seed gives the same z")


def impl(key, mean, logvar):
    rng_key = jax.random.PRNGKey(0)
    return mean + jax.random.normal(rng_key, logvar.shape) * jnp.exp(0.5 * logvar)
