"""torch KL with the default float32 tensors."""

import torch
from torch.distributions import Normal, kl_divergence

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "float32")
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework
REQUIRES = "torch"


def impl(mu, logvar):
    mu, logvar = torch.tensor(mu, dtype=torch.float32), torch.tensor(logvar, dtype=torch.float32)
    q = Normal(mu, torch.exp(0.5 * logvar))
    return kl_divergence(q, Normal(0.0, 1.0)).sum(-1)
