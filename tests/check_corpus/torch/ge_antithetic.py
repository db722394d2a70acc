"""Antithetic pathwise estimator: the mean of f(mu + std·eps) and f(mu - std·eps)."""

import torch

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = None  # conforms


def impl(f, mu, logvar):
    std = torch.exp(0.5 * logvar)
    eps = torch.randn_like(std)
    return (0.5 * (f(mu + std * eps) + f(mu - std * eps))).sum()
