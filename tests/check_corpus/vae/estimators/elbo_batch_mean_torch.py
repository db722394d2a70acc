"""correct: a hand-written VAE loss that averages the single-sample ELBO over the batch."""

import torch

TARGET = "elbo"
FRAMEWORK = "torch"
DTYPE = "float32"
REDUCTION = "mean"
REFERENCE_EXPECT = None  # per-example values only: checked by `rtverify check`, not the reference
EXPECT = None  # the verdict of `rtverify check`
DEFAULT = True  # in the default run


def impl(log_likelihood, mu, logvar, eps):
    z = mu + torch.exp(0.5 * logvar) * eps
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1)
    return torch.mean(log_likelihood(z) - kld)
