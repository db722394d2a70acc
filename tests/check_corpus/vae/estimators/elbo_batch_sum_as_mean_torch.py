"""bug: the ELBO summed over the batch (as pytorch/examples' VAE loss is) where the mean is due."""

import torch

TARGET = "elbo"
FRAMEWORK = "torch"
DTYPE = "float32"
REDUCTION = "mean"
REFERENCE_EXPECT = "differs"  # a reduction mix-up: checked by `rtverify check`, not the reference
EXPECT = ("agrees per call", "returns the sum over the batch where the mean is due")
DEFAULT = True  # in the default run


def impl(log_likelihood, mu, logvar, eps):
    z = mu + torch.exp(0.5 * logvar) * eps
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return log_likelihood(z).sum() - kld
