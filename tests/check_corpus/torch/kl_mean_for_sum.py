"""A batch mean (PyTorch-VAE's torch.mean over dim 0) returned where the batch sum is due."""

import torch

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "logvar"
REDUCTION = "sum"
EXPECT = ("agrees", "mean over the batch")


def impl(mu, log_var):
    return torch.mean(-0.5 * torch.sum(1 + log_var - mu**2 - log_var.exp(), dim=1), dim=0)
