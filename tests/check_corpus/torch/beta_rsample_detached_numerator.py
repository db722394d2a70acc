"""A Beta from two Gammas whose numerator is detached: x = G_a.detach() / (G_a + G_b). The
sample has the right law, but ∂x/∂a keeps only the denominator's term: the wrong sign."""

import torch

TARGET = "beta-rsample"
FRAMEWORK = "torch"
DTYPE = "float64"
EXPECT = ("gradients", "biased")
DEFAULT = True  # about 2 s: CI sees the unbiasedness fallback fail a biased gradient


def impl(a, b):
    ga = torch.distributions.Gamma(a, torch.ones_like(a)).rsample()
    gb = torch.distributions.Gamma(b, torch.ones_like(b)).rsample()
    return ga.detach() / (ga + gb)
