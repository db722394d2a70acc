"""Per-sample pathwise gradients with jax.vmap(jax.grad(...)) of f(mu + sigma * eps), float32."""

import jax
import jax.numpy as jnp

TARGET = "pathwise-gradient"
FRAMEWORK = "jax"
EXPECT = None  # conforms (compiled once per layout by jax.jit: ~7 s at load 5, was ~50 s)


def impl(f, df, mu, sigma, eps):
    def one(m, s, e):
        return f(m + s * e)

    grads = jax.vmap(jax.grad(one, argnums=(0, 1)), in_axes=(None, None, 0))(
        jnp.asarray(mu, eps.dtype), jnp.asarray(sigma, eps.dtype), eps
    )
    return jnp.stack(grads, axis=-1)
