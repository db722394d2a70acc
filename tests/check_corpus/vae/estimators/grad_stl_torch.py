"""correct: STL (Roeder et al. 2017): log q evaluated with its parameters detached."""

import torch
from torch.distributions import Normal

TARGET = "elbo-gradient"
FRAMEWORK = "torch"
DEFAULT = True  # run in the default suite (statistical)
REFERENCE_EXPECT = None  # what tests/test_estimator_corpus.py shows
EXPECT = None  # the verdict of `rtverify check`


def impl(log_joint, mu, logvar):
    std = torch.exp(0.5 * logvar)
    z = mu + std * torch.randn_like(mu)
    q_stopped = Normal(mu.detach(), std.detach())
    return (log_joint(z) - q_stopped.log_prob(z).sum(-1)).sum()
