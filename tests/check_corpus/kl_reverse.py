"""KL(N(0,I) || q) instead of KL(q || N(0,I))."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "reverse KL")


def impl(mu, logvar):
    return 0.5 * np.sum((1 + mu**2) * np.exp(-logvar) - 1.0 + logvar, axis=-1)
