"""The textbook score estimator times 1.01: a 1 % bias, caught by pairing on the same eps."""

import numpy as np

TARGET = "score-gradient"
EXPECT = ("unbiased", "")
DEFAULT = True


def impl(f, df, mu, sigma, eps):
    fz = f(mu + sigma * eps)
    return 1.01 * np.stack([fz * eps / sigma, fz * (eps**2 - 1) / sigma], axis=-1)
