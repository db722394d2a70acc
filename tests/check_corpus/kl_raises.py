"""Raises on batch = 1 (a squeeze bug)."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("shape", "raises ValueError")


def impl(mu, logvar):
    mu, logvar = mu.squeeze(), logvar.squeeze()
    if mu.ndim < 2:
        raise ValueError("expected a 2-d batch")
    return 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)
