"""Parameterized by sigma^2."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "var"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(mu, var):
    return 0.5 * np.sum(mu**2 + var - 1.0 - np.log(var), axis=-1)
