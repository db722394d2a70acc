"""correct: jax, reconstruction term minus the closed-form KL."""

import jax.numpy as jnp

TARGET = "elbo"
FRAMEWORK = "jax"
REFERENCE_EXPECT = None  # what tests/test_estimator_corpus.py shows
EXPECT = None  # the verdict of `rtverify check`
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework


def impl(log_likelihood, mu, logvar, eps):
    z = mu + jnp.exp(0.5 * logvar) * eps
    kl = 0.5 * jnp.sum(mu**2 + jnp.exp(logvar) - 1.0 - logvar, axis=-1)
    return log_likelihood(z) - kl
