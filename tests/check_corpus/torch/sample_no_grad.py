"""The reparameterization wrapped in torch.no_grad() (copied from an inference-time sampler)."""

import torch

TARGET = "reparam-sample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("gradient", "no gradient flows from the output to mu and logvar")
DEFAULT = True  # fast (closed form, no statistics); names both arguments


def impl(mu, logvar, eps):
    with torch.no_grad():
        return mu + eps * torch.exp(0.5 * logvar)
