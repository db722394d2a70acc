"""A jax VAE loss with a learned prior, in variances (float32)."""

import jax.numpy as jnp

TARGET = "gaussian-kl-pair"
PARAM = "var"
REDUCTION = "sum"
FRAMEWORK = "jax"
EXPECT = None  # conforms
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework
REQUIRES = "jax"


def impl(mu_q, var_q, mu_p, var_p):
    return 0.5 * jnp.sum(jnp.log(var_p / var_q) + (var_q + (mu_q - mu_p) ** 2) / var_p - 1.0)
