"""A log-std encoder head: 0.5 * sum(mu^2 + exp(2 log_std) - 1) - sum(log_std)."""

import torch

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "log_std"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(mu, log_std):
    return 0.5 * torch.sum(mu**2 + torch.exp(2 * log_std) - 1, dim=-1) - torch.sum(log_std, dim=-1)
