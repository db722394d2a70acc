"""Squares mu in place."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("unchanged", "mutated argument mu")


def impl(mu, logvar):
    mu **= 2
    return 0.5 * np.sum(mu + np.exp(logvar) - 1.0 - logvar, axis=-1)
