"""A NumPy round trip inside a torch sampler: std = torch.from_numpy(np.exp(...))."""

import numpy as np
import torch

TARGET = "reparam-sample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("gradient", "no gradient flows from the output to logvar")


def impl(mu, logvar, eps):
    std = torch.from_numpy(np.exp(0.5 * logvar.detach().numpy()))
    return mu + eps * std
