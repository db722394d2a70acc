"""correct: IWAE code as written for training in JAX — a key first, K fixed in the module.

rtverify compiles the call (jax.jit) and traces IMPL more than once for it: the samples it
draws must still be counted once per invocation (they were counted thrice: "K = 12")."""

import jax
import jax.numpy as jnp

TARGET = "iwae-gradient"
FRAMEWORK = "jax"
EXPECT = None  # the verdict of `rtverify check` (run with --k K)
DEFAULT = True  # in the default run: the compiled JAX path of the K count
K = 4  # importance samples


def impl(key, log_joint, mu, logvar):
    std = jnp.exp(0.5 * logvar)
    eps = jax.random.normal(key, (K, *mu.shape), dtype=mu.dtype)
    z = mu + std * eps
    log_q = jnp.sum(-0.5 * eps**2 - 0.5 * logvar - 0.5 * jnp.log(2 * jnp.pi), axis=-1)
    log_w = log_joint(z) - log_q
    return jnp.sum(jax.scipy.special.logsumexp(log_w, axis=0) - jnp.log(K))
