"""Noise drawn once per latent position, torch.randn(D), and broadcast over the batch."""

import torch

TARGET = "rsample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("independent", "shared across the batch")


def impl(mu, logvar):
    eps = torch.randn(mu.shape[-1])
    return mu + eps * torch.exp(0.5 * logvar)
