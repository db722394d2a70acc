"""Gumbel-softmax that forgets the temperature: softmax(logits + g). The argmax law is still
right (argmax is scale-free); the relaxed law is the τ = 1 one, not the τ asked for."""

import torch

TARGET = "gumbel-softmax"
FRAMEWORK = "torch"
DTYPE = "float64"
EXPECT = ("logistic", "temperature")
DEFAULT = True


def impl(logits, tau):
    u = torch.rand_like(logits).clamp(1e-12, 1 - 1e-12)
    g = -torch.log(-torch.log(u))
    return torch.softmax(logits + g, dim=-1)
