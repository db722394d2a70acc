"""Parameterized by sigma^2, through log and exp."""

import numpy as np

TARGET = "reparam-sample"
PARAM = "var"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(mu, var, eps):
    return mu + np.exp(0.5 * np.log(var)) * eps
