"""correct: torch.distributions, Monte Carlo KL log p(z) − log q(z) at the same z."""

import torch
from torch.distributions import Normal

TARGET = "elbo"
FRAMEWORK = "torch"
REFERENCE_EXPECT = None  # what tests/test_estimator_corpus.py shows
EXPECT = None  # the verdict of `rtverify check`
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework


def impl(log_likelihood, mu, logvar, eps):
    q = Normal(mu, torch.exp(0.5 * logvar))
    z = mu + q.scale * eps
    prior = Normal(torch.zeros_like(mu), torch.ones_like(mu))
    return log_likelihood(z) + (prior.log_prob(z) - q.log_prob(z)).sum(-1)
