"""logvar / log sigma confusion in the sampler: std = exp(logvar)."""

import torch

TARGET = "rsample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("goodness of fit", "variance of (z − μ)/σ is 1: fail")


def impl(mu, logvar):
    return mu + torch.randn_like(mu) * torch.exp(logvar)
