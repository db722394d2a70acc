"""torch.mean over batch AND latent axis where the sum over the latent axis is due."""

import torch

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "logvar"
REDUCTION = "mean"
EXPECT = ("agrees", "averages over the latent axis")


def impl(mu, logvar):
    return -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
