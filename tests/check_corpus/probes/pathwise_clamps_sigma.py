"""Clamps σ to [0.5, 2.5] inside the pathwise estimator."""

import numpy as np

TARGET = "pathwise-gradient"
EXPECT = ("unbiased", "")
DEFAULT = True


def impl(f, df, mu, sigma, eps):
    s = min(max(sigma, 0.5), 2.5)
    g = df(mu + s * eps)
    return np.stack([g, g * eps], axis=-1)
