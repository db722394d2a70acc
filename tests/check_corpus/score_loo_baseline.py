"""Leave-one-out baseline: unbiased at every n >= 2."""

import numpy as np

TARGET = "score-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(f, df, mu, sigma, eps):
    n = eps.size
    fz = f(mu + sigma * eps)
    baseline = (fz.sum() - fz) / (n - 1)
    a = fz - baseline
    return np.stack([a * eps / sigma, a * (eps**2 - 1) / sigma], axis=-1)
