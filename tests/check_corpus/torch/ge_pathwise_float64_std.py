"""Pathwise with randn_like on a std head, float64 (model.double())."""

import torch

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
DTYPE = "float64"
PARAM = "std"
EXPECT = None  # conforms


def impl(f, mu, std):
    return f(mu + torch.randn_like(std) * std).sum()
