"""A hand-written VAE loss against a learned prior: the textbook two-Gaussian KL in logvar."""

import numpy as np

TARGET = "gaussian-kl-pair"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(mu_q, logvar_q, mu_p, logvar_p):
    return 0.5 * np.sum(
        logvar_p - logvar_q + (np.exp(logvar_q) + (mu_q - mu_p) ** 2) / np.exp(logvar_p) - 1.0,
        axis=-1,
    )
