"""Draws its own noise instead of using eps."""

import numpy as np

TARGET = "reparam-sample"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("deterministic", "instead of using eps")


def impl(mu, logvar, eps):
    return mu + np.exp(0.5 * logvar) * np.random.randn(*mu.shape)
