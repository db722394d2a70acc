"""The Keras/PyTorch VAE tutorial form: -0.5 * sum(1 + lv - mu^2 - exp(lv))."""

import numpy as np

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(mu, logvar):
    return -0.5 * np.sum(1 + logvar - np.square(mu) - np.exp(logvar), axis=1)
