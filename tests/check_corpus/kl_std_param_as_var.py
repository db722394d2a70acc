"""Given sigma, uses it as sigma^2."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "std"
REDUCTION = "none"
EXPECT = ("agrees", "uses σ where σ² is due")


def impl(mu, std):
    return 0.5 * np.sum(mu**2 + std - 1.0 - np.log(std), axis=-1)
