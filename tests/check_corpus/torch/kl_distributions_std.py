"""torch.distributions: kl_divergence(Normal(mu, std), Normal(0, 1)).sum(-1), std parameter."""

import torch
from torch.distributions import Normal, kl_divergence

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "std"
REDUCTION = "none"
EXPECT = None  # conforms
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework


def impl(mu, std):
    prior = Normal(torch.zeros_like(mu), torch.ones_like(std))
    return kl_divergence(Normal(mu, std), prior).sum(-1)
