"""Forgets the 1/sigma of the score."""

import numpy as np

TARGET = "score-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("unbiased for ∂/∂μ", "forgets the 1/σ")


def impl(f, df, mu, sigma, eps):
    fz = f(mu + sigma * eps)
    return np.stack([fz * eps, fz * (eps**2 - 1)], axis=-1)
