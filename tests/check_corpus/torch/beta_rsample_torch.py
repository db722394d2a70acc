"""torch's own reparameterized Beta sampler, in float64."""

import torch

TARGET = "beta-rsample"
FRAMEWORK = "torch"
DTYPE = "float64"
EXPECT = None  # conforms


def impl(a, b):
    return torch.distributions.Beta(a, b).rsample()
