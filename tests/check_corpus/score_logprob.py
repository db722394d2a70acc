"""Score written through z: ((z - mu)/sigma^2, (z - mu)^2/sigma^3 - 1/sigma)."""

import numpy as np

TARGET = "score-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(f, df, mu, sigma, eps):
    z = mu + sigma * eps
    d_mu = (z - mu) / sigma**2
    d_sigma = (z - mu) ** 2 / sigma**3 - 1.0 / sigma
    return f(z)[:, None] * np.stack([d_mu, d_sigma], axis=1)
