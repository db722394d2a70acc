"""Flips the sign when a call has more than 10 samples."""

import numpy as np

TARGET = "score-gradient"
EXPECT = ("unbiased", "")
DEFAULT = True


def impl(f, df, mu, sigma, eps):
    fz = f(mu + sigma * eps)
    out = np.stack([fz * eps / sigma, fz * (eps**2 - 1) / sigma], axis=-1)
    return -out if eps.size > 10 else out
