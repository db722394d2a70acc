"""torch's own reparameterized Dirichlet sampler, in float64."""

import torch

TARGET = "dirichlet-rsample"
FRAMEWORK = "torch"
DTYPE = "float64"
EXPECT = None  # conforms


def impl(alpha):
    return torch.distributions.Dirichlet(alpha).rsample()
