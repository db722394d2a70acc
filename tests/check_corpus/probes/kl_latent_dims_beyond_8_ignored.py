"""Sums over at most 8 latent dimensions."""

import numpy as np

TARGET = "gaussian-kl"
EXPECT = ("agrees", "")


def impl(mu, logvar):
    mu, logvar = mu[:, :8], logvar[:, :8]
    return 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)
