"""diffusers DiagonalGaussianDistribution.kl: logvar clamped to [-30, 20] before the KL."""

import torch

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "clamps log σ² to [-30, 20]")


def impl(mean, logvar):
    logvar = torch.clamp(logvar, -30.0, 20.0)
    var = torch.exp(logvar)
    return 0.5 * torch.sum(torch.pow(mean, 2) + var - 1.0 - logvar, dim=1)
