"""A sampler that splits its key first (jax.random.split) and scales a std head, x64 on."""

import jax

TARGET = "rsample"
FRAMEWORK = "jax"
DTYPE = "float64"
PARAM = "std"
EXPECT = None  # conforms


def impl(key, mu, sigma):
    _, sub = jax.random.split(key)
    return jax.random.normal(sub, mu.shape, dtype=mu.dtype) * sigma + mu
