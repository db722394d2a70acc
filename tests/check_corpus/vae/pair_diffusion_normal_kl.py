"""The diffusion models' normal_kl (guided-diffusion's losses.py form), summed over the latent."""

import numpy as np

TARGET = "gaussian-kl-pair"
PARAM = "logvar"
REDUCTION = "mean"
EXPECT = None  # conforms


def impl(mean1, logvar1, mean2, logvar2):
    kl = 0.5 * (
        -1.0
        + logvar2
        - logvar1
        + np.exp(logvar1 - logvar2)
        + (mean1 - mean2) ** 2 * np.exp(-logvar2)
    )
    return kl.sum(axis=-1).mean()
