"""REINFORCE on an rsample'd z: log_prob of z = mu + sigma·eps sees a fixed eps = (z - mu)/sigma."""

import torch
from torch.distributions import Normal

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("unbiased", "biased")
DEFAULT = True


def impl(f, mu, logvar):
    dist = Normal(mu, torch.exp(0.5 * logvar))
    z = dist.rsample()
    return (f(z).detach() * dist.log_prob(z)).sum()
