"""diffusers DiagonalGaussianDistribution.sample: logvar clamped to [-30, 20], mean + std·randn."""

import torch

TARGET = "rsample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = None  # conforms (the law inputs have logvar in [-4, 4]; the clamp only bites beyond 20)


def impl(mean, logvar):
    logvar = torch.clamp(logvar, -30.0, 20.0)
    std = torch.exp(0.5 * logvar)
    return mean + std * torch.randn(mean.shape, dtype=mean.dtype)
