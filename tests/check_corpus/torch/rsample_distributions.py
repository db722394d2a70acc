"""torch.distributions: Normal(mu, exp(0.5 * logvar)).rsample()."""

import torch
from torch.distributions import Normal

TARGET = "rsample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = None  # conforms


def impl(mu, logvar):
    return Normal(mu, torch.exp(0.5 * logvar)).rsample()
