"""Parameterized by sigma."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "std"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(mu, std):
    return 0.5 * np.sum(mu**2 + std**2 - 1.0 - 2.0 * np.log(std), axis=-1)
