"""Clamps σ to [1e-3, 1e3] "for stability": wrong where log σ² is outside [−13.8, 13.8]."""

import numpy as np

TARGET = "reparam-sample"
EXPECT = ("agrees", "")


def impl(mu, logvar, eps):
    return mu + np.clip(np.exp(logvar / 2), 1e-3, 1e3) * eps
