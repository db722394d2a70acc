"""One noise value per example, random.normal(key, (batch, 1)), broadcast over the latent axis."""

import jax.numpy as jnp
from jax import random

TARGET = "rsample"
FRAMEWORK = "jax"
PARAM = "logvar"
EXPECT = ("independent", "shared across the latent axis")


def impl(key, mean, logvar):
    eps = random.normal(key, (mean.shape[0], 1))
    return mean + eps * jnp.exp(0.5 * logvar)
