"""torch's own reparameterized Beta sampler, in float64."""

import torch

TARGET = "beta-rsample"
FRAMEWORK = "torch"
DTYPE = "float64"
EXPECT = None  # conforms
# Its per-sample gradient is not −∂_θF/p everywhere (torch's approximations: relative error 0.6
# at a ≈ 4.17, b ≈ 6.4e4, z ≈ 4.3e-5, reference confirmed with mpmath), so it is judged by the
# paired unbiasedness tests, which may decline (tails too heavy): an honest verdict.
NOT_JUDGED_OK = True


def impl(a, b):
    return torch.distributions.Beta(a, b).rsample()
