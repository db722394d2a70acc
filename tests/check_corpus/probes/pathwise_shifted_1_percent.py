"""The textbook pathwise estimator plus 0.001 in ∂/∂μ (about 1 % of the gradients here)."""

import numpy as np

TARGET = "pathwise-gradient"
EXPECT = ("unbiased", "")
DEFAULT = True


def impl(f, df, mu, sigma, eps):
    g = df(mu + sigma * eps)
    return np.stack([g + 0.001, g * eps], axis=-1)
