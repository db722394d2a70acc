"""jax.vmap(jax.grad) pathwise with stop_gradient on sigma: the σ component is always 0."""

import jax
import jax.numpy as jnp

TARGET = "pathwise-gradient"
FRAMEWORK = "jax"
EXPECT = ("unbiased for ∂/∂σ", "biased")


def impl(f, df, mu, sigma, eps):
    def one(m, s, e):
        return f(m + jax.lax.stop_gradient(s) * e)

    grads = jax.vmap(jax.grad(one, argnums=(0, 1)), in_axes=(None, None, 0))(
        jnp.asarray(mu, eps.dtype), jnp.asarray(sigma, eps.dtype), eps
    )
    return jnp.stack(grads, axis=-1)
