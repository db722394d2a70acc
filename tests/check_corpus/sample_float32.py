"""Computed in single precision."""

import numpy as np

TARGET = "reparam-sample"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "float32")


def impl(mu, logvar, eps):
    f = np.float32
    return mu.astype(f) + np.exp(0.5 * logvar.astype(f)) * eps.astype(f)
