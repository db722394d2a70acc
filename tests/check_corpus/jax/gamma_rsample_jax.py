"""JAX's own Gamma sampler in float64: its implicit gradient is accurate to ~1e-10."""

import jax

TARGET = "gamma-rsample"
FRAMEWORK = "jax"
DTYPE = "float64"
EXPECT = None  # conforms


def impl(key, alpha):
    return jax.random.gamma(key, alpha)
