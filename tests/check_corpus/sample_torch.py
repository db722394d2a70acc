"""torch AffineTransform(loc=mu, scale=sigma) applied to eps (what rsample does)."""

import torch
from torch.distributions.transforms import AffineTransform

TARGET = "reparam-sample"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework
REQUIRES = "torch"


def impl(mu, logvar, eps):
    mu, logvar, eps = (torch.from_numpy(a) for a in (mu, logvar, eps))
    return AffineTransform(loc=mu, scale=torch.exp(0.5 * logvar))(eps)
