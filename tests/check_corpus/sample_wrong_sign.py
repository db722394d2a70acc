"""mu - sigma * eps."""

import numpy as np

TARGET = "reparam-sample"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "wrong sign")


def impl(mu, logvar, eps):
    return mu - np.exp(0.5 * logvar) * eps
