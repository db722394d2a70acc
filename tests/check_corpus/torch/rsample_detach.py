"""randn_like sampler with std.detach(): gradient reaches mu only."""

import torch

TARGET = "rsample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("gradient", "logvar")


def impl(mu, logvar):
    std = torch.exp(0.5 * logvar).detach()
    return mu + torch.randn_like(std) * std
