"""flax examples/vae: mean + random.normal(rng, logvar.shape) * exp(0.5 * logvar)."""

import jax.numpy as jnp
from jax import random

TARGET = "rsample"
FRAMEWORK = "jax"
PARAM = "logvar"
EXPECT = None  # conforms
DEFAULT = True


def impl(rng, mean, logvar):
    std = jnp.exp(0.5 * logvar)
    eps = random.normal(rng, logvar.shape)
    return mean + eps * std
