"""A variance head with a 'stabilising' epsilon: log(var + 1e-8) instead of log(var)."""

import torch

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "var"
REDUCTION = "none"
EXPECT = ("agrees", "adds 1e-08 inside the log")
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework


def impl(mu, var):
    return 0.5 * torch.sum(mu**2 + var - 1 - torch.log(var + 1e-8), dim=1)
