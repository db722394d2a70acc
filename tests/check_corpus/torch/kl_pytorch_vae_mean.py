"""AntixK/PyTorch-VAE loss_function: KL summed over the latent axis, torch.mean over the batch."""

import torch

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "logvar"
REDUCTION = "mean"
EXPECT = None  # conforms


def impl(mu, log_var):
    return torch.mean(-0.5 * torch.sum(1 + log_var - mu**2 - log_var.exp(), dim=1), dim=0)
