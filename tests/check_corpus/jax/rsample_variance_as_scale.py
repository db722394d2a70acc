"""Variance used as a scale in jax: mean + normal(key) * exp(logvar)."""

import jax.numpy as jnp
from jax import random

TARGET = "rsample"
FRAMEWORK = "jax"
PARAM = "logvar"
EXPECT = ("goodness of fit", "variance of (z − μ)/σ is 1: fail")


def impl(key, mean, logvar):
    return mean + random.normal(key, mean.shape) * jnp.exp(logvar)
