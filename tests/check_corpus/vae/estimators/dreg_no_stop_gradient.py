"""bug: DReG without the stop-gradient on log q's parameters (the score term comes back,
weighted by w̃²: biased)."""

import torch
from torch.distributions import Normal

TARGET = "iwae-gradient"
FRAMEWORK = "torch"
EXPECT = "biased"
K = 8


def impl(log_joint, mu, logvar):
    std = torch.exp(0.5 * logvar)
    z = mu + std * torch.randn((K, *mu.shape), dtype=mu.dtype)
    log_w = log_joint(z) - Normal(mu, std).log_prob(z).sum(-1)
    w = torch.softmax(log_w, dim=0).detach()
    return (w**2 * log_w).sum()
