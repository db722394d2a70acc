"""Per-sample REINFORCE in JAX, float32: f(z) times jax.vmap(jax.grad) of the Normal log-density."""

import jax
import jax.numpy as jnp
from jax.scipy.stats import norm

TARGET = "score-gradient"
FRAMEWORK = "jax"
EXPECT = None  # conforms


def impl(f, df, mu, sigma, eps):
    m, s = jnp.asarray(mu, eps.dtype), jnp.asarray(sigma, eps.dtype)
    z = jax.lax.stop_gradient(m + s * eps)
    score = jax.vmap(jax.grad(norm.logpdf, argnums=(1, 2)), in_axes=(0, None, None))(z, m, s)
    return f(z)[:, None] * jnp.stack(score, axis=-1)
