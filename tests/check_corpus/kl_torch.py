"""torch.distributions.kl_divergence of two Normals, summed over the latent axis."""

import torch
from torch.distributions import Normal, kl_divergence

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework
REQUIRES = "torch"


def impl(mu, logvar):
    mu, logvar = torch.from_numpy(mu), torch.from_numpy(logvar)
    q = Normal(mu, torch.exp(0.5 * logvar))
    p = Normal(torch.zeros_like(mu), torch.ones_like(mu))
    return kl_divergence(q, p).sum(-1)
