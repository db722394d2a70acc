"""Forgets the mean."""

import numpy as np

TARGET = "reparam-sample"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "ignores mu")


def impl(mu, logvar, eps):
    return np.exp(0.5 * logvar) * eps
