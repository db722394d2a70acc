"""The KL copied with the ELBO's sign: 0.5 * sum(1 + logvar - mu^2 - exp(logvar))."""

import torch

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "wrong sign")


def impl(mu, logvar):
    return 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)
