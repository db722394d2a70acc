"""exp(0.5*logvar) (sigma) where sigma^2 is due."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "uses σ where σ² is due")


def impl(mu, logvar):
    return 0.5 * np.sum(mu**2 + np.exp(0.5 * logvar) - 1.0 - logvar, axis=-1)
