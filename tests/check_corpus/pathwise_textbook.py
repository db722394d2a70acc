"""Reparameterization: f'(z) * (1, eps)."""

import numpy as np

TARGET = "pathwise-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(f, df, mu, sigma, eps):
    g = df(mu + sigma * eps)
    return np.stack([g, g * eps], axis=-1)
