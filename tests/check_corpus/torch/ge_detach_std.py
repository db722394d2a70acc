"""Pathwise objective with std.detach(): the gradient reaches mu, not logvar."""

import torch

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("gradients flow", "logvar")


def impl(f, mu, logvar):
    std = torch.exp(0.5 * logvar).detach()
    return f(mu + torch.randn_like(std) * std).sum()
