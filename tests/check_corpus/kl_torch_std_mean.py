"""torch.distributions KL, parameterized by sigma, batch mean."""

import torch
from torch.distributions import Normal, kl_divergence

TARGET = "gaussian-kl"
PARAM = "std"
REDUCTION = "mean"
EXPECT = None  # conforms
REQUIRES = "torch"


def impl(mu, std):
    mu, std = torch.from_numpy(mu), torch.from_numpy(std)
    kl = kl_divergence(Normal(mu, std), Normal(0.0, 1.0)).sum(-1)
    return kl.mean()
