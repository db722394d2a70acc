"""Sums over axis 0 (the batch) instead of the latent axis."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("shape", "batch axis instead of the latent axis")


def impl(mu, logvar):
    return 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=0)
