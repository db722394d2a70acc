"""A variance head with a 'safe' square root: std = sqrt(var + 1e-8)."""

import torch

TARGET = "reparam-sample"
FRAMEWORK = "torch"
PARAM = "var"
EXPECT = ("agrees", "1e-08")
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework


def impl(mu, var, eps):
    return mu + eps * torch.sqrt(var + 1e-8)
