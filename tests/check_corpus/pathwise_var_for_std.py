"""z = mu + sigma^2 * eps."""

import numpy as np

TARGET = "pathwise-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("unbiased for ∂/∂μ", "σ² where σ is due")


def impl(f, df, mu, sigma, eps):
    g = df(mu + sigma**2 * eps)
    return np.stack([g, g * eps], axis=-1)
