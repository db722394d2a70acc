"""The pytorch/examples KL in a float64 model (model.double())."""

import torch

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
DTYPE = "float64"
PARAM = "logvar"
REDUCTION = "sum"
EXPECT = None  # conforms


def impl(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
