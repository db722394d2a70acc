"""pytorch/examples' policy loss -log_prob * R returned as the surrogate: the gradient of -E f."""

import torch
from torch.distributions import Normal

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("unbiased", "biased")


def impl(f, mu, logvar):
    dist = Normal(mu, torch.exp(0.5 * logvar))
    z = dist.sample()
    return (-dist.log_prob(z) * f(z)).sum()
