"""Returns (z, sigma)."""

import numpy as np

TARGET = "reparam-sample"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("shape", "returns a tuple")


def impl(mu, logvar, eps):
    std = np.exp(0.5 * logvar)
    return mu + std * eps, std
