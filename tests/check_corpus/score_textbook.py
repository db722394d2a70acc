"""REINFORCE: f(z) * d/d(mu, sigma) log N(z; mu, sigma^2)."""

import numpy as np

TARGET = "score-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(f, df, mu, sigma, eps):
    z = mu + sigma * eps
    fz = f(z)
    return np.stack([fz * eps / sigma, fz * (eps**2 - 1) / sigma], axis=-1)
