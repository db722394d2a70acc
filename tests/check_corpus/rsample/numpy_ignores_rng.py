"""Ignores the rng argument and draws from NumPy's legacy global generator (np.random.randn)."""

import numpy as np

TARGET = "rsample"
PARAM = "logvar"
EXPECT = ("same seed", "ignores the generator")
DEFAULT = True


def impl(mu, logvar, rng):
    return mu + np.exp(0.5 * logvar) * np.random.randn(*mu.shape)
