"""logvar / log sigma confusion: the logvar head used as log sigma (std = exp(logvar))."""

import torch

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "reads its variance argument as log_std")


def impl(mu, logvar):
    std = torch.exp(logvar)
    return 0.5 * torch.sum(mu**2 + std**2 - 1 - 2 * torch.log(std), dim=1)
