"""jax.lax.stop_gradient on the std (to 'stabilise' training): no gradient reaches logvar."""

import jax
import jax.numpy as jnp

TARGET = "reparam-sample"
FRAMEWORK = "jax"
PARAM = "logvar"
EXPECT = ("gradient", "the gradient with respect to logvar is 0")
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework


def impl(mean, logvar, eps):
    std = jax.lax.stop_gradient(jnp.exp(0.5 * logvar))
    return mean + eps * std
