"""correct: IWAE_K with jax.scipy.special.logsumexp, log q by the change of variables."""

import jax.numpy as jnp
from jax.scipy.special import logsumexp

TARGET = "iwae"
FRAMEWORK = "jax"
REFERENCE_EXPECT = None  # what tests/test_estimator_corpus.py shows
EXPECT = None  # the verdict of `rtverify check`
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework


def impl(log_joint, mu, logvar, eps):
    z = mu + jnp.exp(0.5 * logvar) * eps
    log_q = -0.5 * jnp.sum(jnp.log(2 * jnp.pi) + logvar + eps**2, axis=-1)
    return logsumexp(log_joint(z) - log_q, axis=0) - jnp.log(eps.shape[0])
