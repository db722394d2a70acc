"""A log-std head in float64 (x64 on): mu + eps * exp(log_std)."""

import jax.numpy as jnp

TARGET = "reparam-sample"
FRAMEWORK = "jax"
DTYPE = "float64"
PARAM = "log_std"
EXPECT = None  # conforms


def impl(mu, log_std, eps):
    return mu + jnp.exp(log_std) * eps
