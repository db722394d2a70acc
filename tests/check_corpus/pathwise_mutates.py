"""Turns eps into z in place."""

import numpy as np

TARGET = "pathwise-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("unchanged", "mutated argument eps")


def impl(f, df, mu, sigma, eps):
    e = eps.copy()
    eps *= sigma
    eps += mu
    g = df(eps)
    return np.stack([g, g * e], axis=-1)
