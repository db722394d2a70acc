"""The textbook formula, written naively (cancellation at small logvar)."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(mu, logvar):
    return 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)
