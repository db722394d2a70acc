"""REINFORCE with a per-row baseline from an independent second draw, float64.

The baseline is independent of the sample it multiplies, so the estimator stays unbiased.
"""

import torch
from torch.distributions import Normal

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
DTYPE = "float64"
PARAM = "logvar"
EXPECT = None  # conforms


def impl(f, mu, logvar):
    dist = Normal(mu, torch.exp(0.5 * logvar))
    z, z_baseline = dist.sample(), dist.sample()
    b = f(z_baseline).mean(dim=-1, keepdim=True)
    return ((f(z) - b).detach() * dist.log_prob(z)).sum()
