"""correct: DReG (Tucker et al. 2019): q's parameters stopped in log q, weights w̃² detached."""

import torch
from torch.distributions import Normal

TARGET = "iwae-gradient"
FRAMEWORK = "torch"
REFERENCE_EXPECT = None  # what tests/test_estimator_corpus.py shows
EXPECT = None  # the verdict of `rtverify check`
K = 8


def impl(log_joint, mu, logvar, k=K):
    std = torch.exp(0.5 * logvar)
    z = mu + std * torch.randn((k, *mu.shape), dtype=mu.dtype)
    log_w = log_joint(z) - Normal(mu.detach(), std.detach()).log_prob(z).sum(-1)
    w = torch.softmax(log_w, dim=0).detach()
    return (w**2 * log_w).sum()
