"""torch's RelaxedOneHotCategorical (Concrete / Gumbel-softmax), in float64."""

import torch

TARGET = "gumbel-softmax"
FRAMEWORK = "torch"
DTYPE = "float64"
EXPECT = None  # conforms


def impl(logits, tau):
    dist = torch.distributions.RelaxedOneHotCategorical(torch.tensor(tau), logits=logits)
    return dist.rsample()
