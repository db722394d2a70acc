"""Gradient of a loss -f used for f."""

import numpy as np

TARGET = "score-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("unbiased for ∂/∂μ", "wrong sign")


def impl(f, df, mu, sigma, eps):
    fz = -f(mu + sigma * eps)
    return np.stack([fz * eps / sigma, fz * (eps**2 - 1) / sigma], axis=-1)
