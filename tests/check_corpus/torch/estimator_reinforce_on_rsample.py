"""REINFORCE on an rsample'd z: the gradient flows through z too, so the pathwise term is
added to the score term — biased."""

import torch
from torch.distributions import Normal

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
EXPECT = ("unbiased", "biased")
DEFAULT = True


def impl(f, mu, logvar):
    q = Normal(mu, torch.exp(0.5 * logvar))
    z = q.rsample()
    return (f(z) * q.log_prob(z)).sum()
