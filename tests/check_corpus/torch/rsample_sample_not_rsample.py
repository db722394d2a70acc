"""deepdow's bug: Normal(mu, std).sample() where .rsample() is due — right values, no gradient."""

import torch
from torch.distributions import Normal

TARGET = "rsample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("gradient", "not reparameterized")
DEFAULT = True


def impl(mu, logvar):
    return Normal(mu, torch.exp(0.5 * logvar)).sample()
