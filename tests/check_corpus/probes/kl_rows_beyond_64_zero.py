"""Only the first 64 rows of the batch are computed; the rest are left at 0."""

import numpy as np

TARGET = "gaussian-kl"
EXPECT = ("agrees", "")


def impl(mu, logvar):
    out = np.zeros(mu.shape[0])
    n = min(64, mu.shape[0])
    out[:n] = 0.5 * np.sum(mu[:n] ** 2 + np.exp(logvar[:n]) - 1.0 - logvar[:n], axis=-1)
    return out
