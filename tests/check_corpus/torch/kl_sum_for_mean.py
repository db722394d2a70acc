"""pytorch/examples' batch sum (size_average=False era) where the batch mean is due."""

import torch

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "logvar"
REDUCTION = "mean"
EXPECT = ("agrees", "sum over the batch")


def impl(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
