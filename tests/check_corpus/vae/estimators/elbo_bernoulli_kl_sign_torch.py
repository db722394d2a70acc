"""bug: the VAE loss with the KL's sign flipped (BCE − KLD), negated: log p(x | z) + KL, biased
high by 2·KL(q ‖ p) — on the Bernoulli decoder its mean rises above log p(x), which no ELBO can
(per call it is also "the KL is added, not subtracted")."""

import torch

TARGET = "elbo"
FRAMEWORK = "torch"
REFERENCE_EXPECT = "biased"  # what tests/test_estimator_corpus.py shows
# the verdict of `rtverify check`:
EXPECT = ("mean ≤ the exact log p(x)", "above log p(x)")
DEFAULT = True  # in the default run: the upper-bound property failing


def impl(log_likelihood, mu, logvar, eps):
    std = torch.exp(0.5 * logvar)
    z = mu + eps * std
    bce = -log_likelihood(z)
    kld = 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1)  # sign lost
    return -(bce + kld)
