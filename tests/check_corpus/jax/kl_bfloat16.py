"""The flax KL in a bfloat16 model (inputs cast to jnp.bfloat16), returned as float32."""

import jax.numpy as jnp

TARGET = "gaussian-kl"
FRAMEWORK = "jax"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "precision")
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework


def impl(mean, logvar):
    m, lv = mean.astype(jnp.bfloat16), logvar.astype(jnp.bfloat16)
    return (-0.5 * jnp.sum(1 + lv - jnp.square(m) - jnp.exp(lv), axis=-1)).astype(jnp.float32)
