"""bug: STL done backwards — z detached inside log q instead of q's parameters (drops the path
term of −log q: the ∂/∂logvar gradient misses the entropy's +½ per coordinate)."""

import torch
from torch.distributions import Normal

TARGET = "elbo-gradient"
FRAMEWORK = "torch"
REFERENCE_EXPECT = "biased"  # what tests/test_estimator_corpus.py shows
EXPECT = ("unbiased for ∂/∂logvar", "biased")  # the verdict of `rtverify check`


def impl(log_joint, mu, logvar):
    std = torch.exp(0.5 * logvar)
    z = mu + std * torch.randn_like(mu)
    return (log_joint(z) - Normal(mu, std).log_prob(z.detach()).sum(-1)).sum()
