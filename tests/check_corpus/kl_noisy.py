"""Adds noise from the global NumPy random state."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("deterministic", "global random state")


def impl(mu, logvar):
    kl = 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)
    return kl + 1e-3 * np.random.randn(*kl.shape)
