"""Sign flipped (an ELBO term returned as a KL)."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "wrong sign")


def impl(mu, logvar):
    return 0.5 * np.sum(1 + logvar - mu**2 - np.exp(logvar), axis=-1)
