"""exp(logvar) where exp(logvar / 2) is due."""

import numpy as np

TARGET = "reparam-sample"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "exp(logvar) instead of exp(logvar / 2)")


def impl(mu, logvar, eps):
    return mu + np.exp(logvar) * eps
