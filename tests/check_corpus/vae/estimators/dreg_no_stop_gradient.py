"""bug: DReG without the stop-gradient on log q's parameters (the score term comes back,
weighted by w̃²: biased)."""

import torch
from torch.distributions import Normal

TARGET = "iwae-gradient"
FRAMEWORK = "torch"
DEFAULT = True  # run in the default suite (statistical)
REFERENCE_EXPECT = "biased"  # what tests/test_estimator_corpus.py shows
EXPECT = ("unbiased for", "biased")  # the verdict of `rtverify check`
K = 8


def impl(log_joint, mu, logvar, k=K):
    std = torch.exp(0.5 * logvar)
    z = mu + std * torch.randn((k, *mu.shape), dtype=mu.dtype)
    log_w = log_joint(z) - Normal(mu, std).log_prob(z).sum(-1)
    w = torch.softmax(log_w, dim=0).detach()
    return (w**2 * log_w).sum()
