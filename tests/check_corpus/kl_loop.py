"""Plain Python loops with math (no NumPy vectorisation)."""

import math

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(mu, logvar):
    out = []
    for m_row, l_row in zip(mu, logvar, strict=True):
        s = 0.0
        for m, lv in zip(m_row, l_row, strict=True):
            s += 0.5 * (m * m + math.exp(lv) - 1.0 - lv)
        out.append(s)
    return np.array(out)
