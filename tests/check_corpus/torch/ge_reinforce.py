"""REINFORCE as in pytorch/examples reinforcement_learning: z = dist.sample(); f(z) * log_prob(z).

The surrogate's gradient is f(z) ∇ log q(z); its sign is that of the objective E f (ascent form).
"""

import torch
from torch.distributions import Normal

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = None  # conforms
DEFAULT = True


def impl(f, mu, logvar):
    dist = Normal(mu, torch.exp(0.5 * logvar))
    z = dist.sample()
    return (f(z) * dist.log_prob(z)).sum()
