"""Returns a Python list."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("shape", "returns a list")


def impl(mu, logvar):
    return list(0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1))
