"""A softplus std head's KL (PriorCVAE-style z_sd): 0.5 * sum(mu^2 + sd^2 - 1) - sum(log sd)."""

import jax.numpy as jnp

TARGET = "gaussian-kl"
FRAMEWORK = "jax"
PARAM = "std"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(mu, sd):
    return 0.5 * jnp.sum(mu**2 + sd**2 - 1.0, axis=-1) - jnp.sum(jnp.log(sd), axis=-1)
