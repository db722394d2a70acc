"""Pathwise objective as in a VAE's ELBO: f(Normal(mu, std).rsample()).sum()."""

import torch
from torch.distributions import Normal

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = None  # conforms


def impl(f, mu, logvar):
    return f(Normal(mu, torch.exp(0.5 * logvar)).rsample()).sum()
