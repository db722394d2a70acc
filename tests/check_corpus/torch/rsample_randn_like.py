"""pytorch/examples vae reparameterize: eps = torch.randn_like(std); mu + eps * std."""

import torch

TARGET = "rsample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = None  # conforms
DEFAULT = True


def impl(mu, logvar):
    std = torch.exp(0.5 * logvar)
    eps = torch.randn_like(std)
    return mu + eps * std
