"""A pathwise objective on .sample(): f(Normal(mu, std).sample()).sum() has no gradient at all."""

import torch
from torch.distributions import Normal

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("gradients flow", "no gradient")


def impl(f, mu, logvar):
    return f(Normal(mu, torch.exp(0.5 * logvar)).sample()).sum()
