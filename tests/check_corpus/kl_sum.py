"""Summed over the batch, as in many VAE losses."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "sum"
EXPECT = None  # conforms


def impl(mu, logvar):
    return -0.5 * np.sum(1 + logvar - mu**2 - np.exp(logvar))
