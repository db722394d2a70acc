"""REINFORCE with a leave-one-out baseline over K = 4 samples per element (RLOO)."""

import torch
from torch.distributions import Normal

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = None  # conforms

K = 4


def impl(f, mu, logvar):
    dist = Normal(mu, torch.exp(0.5 * logvar))
    z = dist.sample((K,))
    fz = f(z)
    baseline = (fz.sum(0, keepdim=True) - fz) / (K - 1)
    return ((fz - baseline).detach() * dist.log_prob(z)).mean(0).sum()
