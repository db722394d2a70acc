"""correct: the IWAE surrogate logsumexp(log w) − log K, differentiated through everything."""

import math

import torch
from torch.distributions import Normal

TARGET = "iwae-gradient"
FRAMEWORK = "torch"
EXPECT = None
K = 8


def impl(log_joint, mu, logvar):
    q = Normal(mu, torch.exp(0.5 * logvar))
    z = q.rsample((K,))
    log_w = log_joint(z) - q.log_prob(z).sum(-1)
    return (torch.logsumexp(log_w, 0) - math.log(K)).sum()
