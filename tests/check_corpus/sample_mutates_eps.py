"""Scales eps in place."""

import numpy as np

TARGET = "reparam-sample"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("unchanged", "mutated argument eps")


def impl(mu, logvar, eps):
    eps *= np.exp(0.5 * logvar)
    return mu + eps
