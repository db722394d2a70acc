"""keepdims=True."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("shape", "keepdims")


def impl(mu, logvar):
    return 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1, keepdims=True)
