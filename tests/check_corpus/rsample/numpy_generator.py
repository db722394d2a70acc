"""NumPy sampler with an injected Generator: mu + exp(0.5 * logvar) * rng.standard_normal(shape)."""

import numpy as np

TARGET = "rsample"
PARAM = "logvar"
EXPECT = None  # conforms
DEFAULT = True


def impl(mu, logvar, rng):
    return mu + np.exp(0.5 * logvar) * rng.standard_normal(mu.shape)
