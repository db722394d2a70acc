"""correct: the standard reparameterized ELBO surrogate (torch.distributions; score term kept)."""

import torch
from torch.distributions import Normal

TARGET = "elbo-gradient"
FRAMEWORK = "torch"
REFERENCE_EXPECT = None  # what tests/test_estimator_corpus.py shows
EXPECT = None  # the verdict of `rtverify check`


def impl(log_joint, mu, logvar):
    q = Normal(mu, torch.exp(0.5 * logvar))
    z = q.rsample()
    return (log_joint(z) - q.log_prob(z).sum(-1)).sum()
