"""Mean over the batch where the sum is due."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "sum"
EXPECT = ("agrees", "mean over the batch where the sum is due")


def impl(mu, logvar):
    return np.mean(0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1))
