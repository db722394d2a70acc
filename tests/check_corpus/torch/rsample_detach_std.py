"""std.detach() in a sampler: right law, the gradient reaches mu but not logvar."""

import torch

TARGET = "rsample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("gradient", "no gradient flows from z to logvar")
DEFAULT = True


def impl(mu, logvar):
    std = torch.exp(0.5 * logvar).detach()
    return mu + std * torch.randn_like(mu)
