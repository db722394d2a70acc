"""The deepdow bug: Normal(mu, std).sample() where .rsample() is due — right values, no
gradient reaches mu or logvar."""

import torch
from torch.distributions import Normal

TARGET = "rsample"
FRAMEWORK = "torch"
EXPECT = ("gradients", "no gradient flows")
DEFAULT = True


def impl(mu, logvar):
    return Normal(mu, torch.exp(0.5 * logvar)).sample()
