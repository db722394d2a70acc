"""sigma as sqrt(exp(logvar))."""

import numpy as np

TARGET = "reparam-sample"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(mu, logvar, eps):
    return mu + np.sqrt(np.exp(logvar)) * eps
