"""bug: Monte Carlo KL with log q evaluated at ε instead of at z = μ + σε
(``q.log_prob(eps)``): biased."""

import torch
from torch.distributions import Normal

TARGET = "elbo"
FRAMEWORK = "torch"
REFERENCE_EXPECT = "biased"  # what tests/test_estimator_corpus.py shows
# the verdict of `rtverify check`:
EXPECT = ("agrees per call", "log q evaluated at ε, not at z")


def impl(log_likelihood, mu, logvar, eps):
    q = Normal(mu, torch.exp(0.5 * logvar))
    z = q.loc + q.scale * eps
    prior = Normal(torch.zeros_like(mu), torch.ones_like(mu))
    return log_likelihood(z) + (prior.log_prob(z) - q.log_prob(eps)).sum(-1)
