"""The sampler of pytorch/examples' VAE: mu + eps * std with eps = torch.randn_like(std)."""

import torch

TARGET = "rsample"
FRAMEWORK = "torch"
EXPECT = None  # conforms
DEFAULT = True


def impl(mu, logvar):
    std = torch.exp(0.5 * logvar)
    eps = torch.randn_like(std)
    return mu + eps * std
