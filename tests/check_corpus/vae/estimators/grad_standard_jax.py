"""correct: jax, the standard reparameterized ELBO surrogate with the key rtverify passes."""

import jax
import jax.numpy as jnp

TARGET = "elbo-gradient"
FRAMEWORK = "jax"
REFERENCE_EXPECT = None  # what tests/test_estimator_corpus.py shows (torch files only)
EXPECT = None  # the verdict of `rtverify check`


def impl(key, log_joint, mu, logvar):
    std = jnp.exp(0.5 * logvar)
    z = mu + std * jax.random.normal(key, mu.shape, dtype=mu.dtype)
    log_q = -0.5 * jnp.sum(jnp.log(2 * jnp.pi) + logvar + ((z - mu) / std) ** 2, axis=-1)
    return jnp.sum(log_joint(z) - log_q)
