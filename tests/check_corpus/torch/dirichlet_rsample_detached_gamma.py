"""A Dirichlet normalised after a detached Gamma draw (.sample(), not .rsample()): the law is
right, but no gradient reaches α."""

import torch

TARGET = "dirichlet-rsample"
FRAMEWORK = "torch"
DTYPE = "float64"
EXPECT = ("gradients", "no gradient flows")
DEFAULT = True


def impl(alpha):
    g = torch.distributions.Gamma(alpha, torch.ones_like(alpha)).sample()
    return g / g.sum(-1, keepdim=True)
