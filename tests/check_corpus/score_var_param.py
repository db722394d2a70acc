"""The log-prob gradient in sigma^2 used as the sigma component."""

import numpy as np

TARGET = "score-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("unbiased for ∂/∂σ", "with respect to σ²")


def impl(f, df, mu, sigma, eps):
    fz = f(mu + sigma * eps)
    return np.stack([fz * eps / sigma, fz * (eps**2 - 1) / (2 * sigma**2)], axis=-1)
