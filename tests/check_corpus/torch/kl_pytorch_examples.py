"""pytorch/examples vae/main.py: -0.5 * sum(1 + logvar - mu^2 - exp(logvar)), per example."""

import torch

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)
