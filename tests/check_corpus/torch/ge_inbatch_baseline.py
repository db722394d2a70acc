"""REINFORCE whose baseline includes the sample itself (mean over K = 2 samples, not leave-one-out).

E[(f(z) - mean_k f(z_k)) ∇log q(z)] = (1 - 1/K) ∇E f: biased by the factor 1/2 here.
"""

import torch
from torch.distributions import Normal

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("unbiased", "biased")

K = 2


def impl(f, mu, logvar):
    dist = Normal(mu, torch.exp(0.5 * logvar))
    z = dist.sample((K,))
    fz = f(z)
    return ((fz - fz.mean(0, keepdim=True)).detach() * dist.log_prob(z)).mean(0).sum()
