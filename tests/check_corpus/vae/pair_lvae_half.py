"""LVAE's KL between two Gaussians with the log-ratio term missing its ½ (its KL goes negative)."""

import numpy as np

TARGET = "gaussian-kl-pair"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees with the reference", "the log-ratio term is missing its ½")


def impl(mu_q, logvar_q, mu_p, logvar_p):
    return np.sum(
        logvar_p
        - logvar_q
        + (np.exp(logvar_q) + (mu_q - mu_p) ** 2) / (2 * np.exp(logvar_p))
        - 0.5,
        axis=-1,
    )
