"""logvar treated as log sigma."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "as log_std")


def impl(mu, logvar):
    return 0.5 * np.sum(mu**2 + np.exp(2 * logvar) - 1.0 - 2 * logvar, axis=-1)
