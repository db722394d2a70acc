"""torch.manual_seed(0) inside the sampler ("for reproducibility"): the same noise on every call."""

import torch

TARGET = "rsample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("same seed", "another seed gives the same z")


def impl(mu, logvar):
    torch.manual_seed(0)
    return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
