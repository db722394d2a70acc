"""e^x − 1 − x by its Taylor series cut after x⁶ for |x| < 0.5 (relative error ~1e-5)."""

import numpy as np

TARGET = "gaussian-kl"
EXPECT = ("agrees", "")


def _phi(x):
    series = x**2 / 2 + x**3 / 6 + x**4 / 24 + x**5 / 120 + x**6 / 720
    return np.where(np.abs(x) < 0.5, series, np.expm1(x) - x)


def impl(mu, logvar):
    return 0.5 * np.sum(mu**2 + _phi(logvar), axis=-1)
