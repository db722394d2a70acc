"""Computed in single precision."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "float32")


def impl(mu, logvar):
    mu, logvar = mu.astype(np.float32), logvar.astype(np.float32)
    return 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)
