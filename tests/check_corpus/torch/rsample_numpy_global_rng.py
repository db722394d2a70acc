"""Noise from NumPy's global generator (np.random.randn), not from the torch generator."""

import numpy as np
import torch

TARGET = "rsample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("same seed", "ignores the generator")


def impl(mu, logvar):
    eps = torch.from_numpy(np.random.randn(*mu.shape).astype(np.float32))
    return mu + eps * torch.exp(0.5 * logvar)
