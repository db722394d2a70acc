"""Uses f where f' is due."""

import numpy as np

TARGET = "pathwise-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("unbiased for ∂/∂μ", "uses f where f′ is due")


def impl(f, df, mu, sigma, eps):
    g = f(mu + sigma * eps)
    return np.stack([g, g * eps], axis=-1)
