"""correct: the pytorch/examples VAE loss as an ELBO — a Bernoulli decoder's reconstruction term
(BCE = −log p(x | z), summed over pixels) plus the closed-form KL, negated; on rtverify's
Bernoulli decoder and linear-Gaussian models.

The reconstruction term comes from rtverify's ``log_likelihood`` (Σ_i log_sigmoid(±a_i), what
``-F.binary_cross_entropy_with_logits(logits, x, reduction='none').sum(-1)`` computes): the file
checks the ELBO's assembly, the loss's sign convention and the KL.
"""

import torch

TARGET = "elbo"
FRAMEWORK = "torch"
REFERENCE_EXPECT = None  # what tests/test_estimator_corpus.py shows
EXPECT = None  # the verdict of `rtverify check`
DEFAULT = True  # in the default run: a Bernoulli-decoder ELBO that conforms


def impl(log_likelihood, mu, logvar, eps):
    std = torch.exp(0.5 * logvar)
    z = mu + eps * std
    bce = -log_likelihood(z)  # = F.binary_cross_entropy_with_logits(decode(z), x, 'none').sum(-1)
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1)
    loss = bce + kld  # the negative ELBO, per example
    return -loss
