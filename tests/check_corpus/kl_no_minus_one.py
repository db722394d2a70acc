"""The -1 term is missing."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "−1 term is missing")


def impl(mu, logvar):
    return 0.5 * np.sum(mu**2 + np.exp(logvar) - logvar, axis=-1)
