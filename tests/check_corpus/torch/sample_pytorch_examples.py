"""pytorch/examples vae reparameterize on rtverify's eps: mu + eps * exp(0.5 * logvar)."""

import torch

TARGET = "reparam-sample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = None  # conforms


def impl(mu, logvar, eps):
    std = torch.exp(0.5 * logvar)
    return mu + eps * std
