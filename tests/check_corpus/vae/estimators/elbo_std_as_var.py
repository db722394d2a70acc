"""bug: samples with σ² where σ is due (z = μ + exp(logvar)·ε)."""

import torch

TARGET = "elbo"
FRAMEWORK = "torch"
REFERENCE_EXPECT = "biased"  # what tests/test_estimator_corpus.py shows
# the verdict of `rtverify check`:
EXPECT = ("agrees per call", "samples with σ² where σ is due")
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework


def impl(log_likelihood, mu, logvar, eps):
    z = mu + torch.exp(logvar) * eps
    kl = -0.5 * torch.sum(1 + logvar - mu**2 - logvar.exp(), dim=-1)
    return log_likelihood(z) - kl
