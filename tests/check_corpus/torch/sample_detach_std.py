"""std.detach(): the value is right, no gradient reaches logvar."""

import torch

TARGET = "reparam-sample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("gradient", "no gradient flows from the output to logvar")


def impl(mu, logvar, eps):
    std = torch.exp(0.5 * logvar).detach()
    return mu + eps * std
