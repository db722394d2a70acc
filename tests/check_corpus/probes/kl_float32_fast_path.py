"""Switches to float32 arithmetic for inputs above 1024 elements."""

import numpy as np

TARGET = "gaussian-kl"
EXPECT = ("agrees", "float32")


def impl(mu, logvar):
    if mu.size > 1024:
        mu, logvar = mu.astype(np.float32), logvar.astype(np.float32)
    return (0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)).astype(np.float64)
