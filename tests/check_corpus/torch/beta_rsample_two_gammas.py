"""A correct Beta from two Gammas, x = G_a / (G_a + G_b) (JAX's construction): the right law,
and a valid reparameterization gradient that is not the implicit one per sample (it depends on
G_a + G_b, not on x alone) but equals it given x, so it must not be called biased."""

import torch

TARGET = "beta-rsample"
FRAMEWORK = "torch"
DTYPE = "float64"
EXPECT = None  # conforms
NOT_JUDGED_OK = True  # declining (tails too heavy) is honest; "biased" would be a false alarm


def impl(a, b):
    ga = torch.distributions.Gamma(a, torch.ones_like(a)).rsample()
    gb = torch.distributions.Gamma(b, torch.ones_like(b)).rsample()
    return ga / (ga + gb)
