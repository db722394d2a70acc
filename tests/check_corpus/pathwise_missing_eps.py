"""The sigma component forgets the chain-rule factor eps."""

import numpy as np

TARGET = "pathwise-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("unbiased for ∂/∂σ", "misses the factor ε")


def impl(f, df, mu, sigma, eps):
    g = df(mu + sigma * eps)
    return np.stack([g, g], axis=-1)
