"""Draws its own noise (unbiased, but ignores the eps it is given)."""

import numpy as np

TARGET = "score-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("deterministic", "instead of using eps")


def impl(f, df, mu, sigma, eps):
    e = np.random.standard_normal(eps.shape)
    fz = f(mu + sigma * e)
    return np.stack([fz * e / sigma, fz * (e**2 - 1) / sigma], axis=-1)
