"""correct: the IWAE surrogate logsumexp(log w) − log K, differentiated through everything."""

import math

import torch
from torch.distributions import Normal

TARGET = "iwae-gradient"
FRAMEWORK = "torch"
REFERENCE_EXPECT = None  # what tests/test_estimator_corpus.py shows
EXPECT = None  # the verdict of `rtverify check`
K = 8


def impl(log_joint, mu, logvar, k=K):
    q = Normal(mu, torch.exp(0.5 * logvar))
    z = q.rsample((k,))
    log_w = log_joint(z) - q.log_prob(z).sum(-1)
    return (torch.logsumexp(log_w, 0) - math.log(k)).sum()
