"""Computed in half precision (overflows at large logvar)."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("finite", "inf")


def impl(mu, logvar):
    mu, logvar = mu.astype(np.float16), logvar.astype(np.float16)
    return 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)
