"""REINFORCE as written with torch.distributions: f(z).detach() * log_prob(z), z = sample()."""

import torch
from torch.distributions import Normal

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
EXPECT = None  # conforms
DEFAULT = True


def impl(f, mu, logvar):
    q = Normal(mu, torch.exp(0.5 * logvar))
    z = q.sample()
    return (f(z).detach() * q.log_prob(z)).sum()
