"""Caches its result by input shape: right on the first input of each shape only."""

import numpy as np

TARGET = "gaussian-kl"
EXPECT = ("agrees", "")

_cache = {}


def impl(mu, logvar):
    key = mu.shape
    if key not in _cache:
        _cache[key] = 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)
    return _cache[key]
