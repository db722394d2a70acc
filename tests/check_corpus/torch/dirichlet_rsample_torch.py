"""torch's own reparameterized Dirichlet sampler, in float64."""

import torch

TARGET = "dirichlet-rsample"
FRAMEWORK = "torch"
DTYPE = "float64"
EXPECT = None  # conforms
NOT_JUDGED_OK = True  # the unbiasedness test of ∂E[x]/∂α declines on heavy tails: an honest
# verdict (it used to count as a pass); "biased" would be a false alarm


def impl(alpha):
    return torch.distributions.Dirichlet(alpha).rsample()
