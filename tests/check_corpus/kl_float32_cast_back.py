"""Computed in float32, cast back to float64 (only the rounding level shows)."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "float32")


def impl(mu, logvar):
    mu, logvar = mu.astype(np.float32), logvar.astype(np.float32)
    kl = 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)
    return kl.astype(np.float64)
