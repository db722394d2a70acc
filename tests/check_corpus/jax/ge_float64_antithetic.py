"""Antithetic pathwise estimator in jax with x64 on, std parameter."""

import jax
import jax.numpy as jnp

TARGET = "gradient-estimator"
FRAMEWORK = "jax"
DTYPE = "float64"
PARAM = "std"
EXPECT = None  # conforms


def impl(key, f, mu, sigma):
    eps = jax.random.normal(key, mu.shape, dtype=mu.dtype)
    return jnp.sum(0.5 * (f(mu + sigma * eps) + f(mu - sigma * eps)))
