"""z = mu + exp(logvar / 2) * eps."""

import numpy as np

TARGET = "reparam-sample"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(mu, logvar, eps):
    return mu + np.exp(0.5 * logvar) * eps
