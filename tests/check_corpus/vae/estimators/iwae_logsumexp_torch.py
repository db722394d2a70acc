"""correct: IWAE_K with torch.logsumexp − log K (torch.distributions for log q)."""

import math

import torch
from torch.distributions import Normal

TARGET = "iwae"
FRAMEWORK = "torch"
REFERENCE_EXPECT = None  # what tests/test_estimator_corpus.py shows
EXPECT = None  # the verdict of `rtverify check`
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework


def impl(log_joint, mu, logvar, eps):
    q = Normal(mu, torch.exp(0.5 * logvar))
    z = mu + q.scale * eps  # (K, batch, D)
    log_w = log_joint(z) - q.log_prob(z).sum(-1)
    return torch.logsumexp(log_w, dim=0) - math.log(eps.shape[0])
