"""z = μ + Lᵀε in torch (einsum over the wrong index): wrong values and a wrong gradient with
respect to scale_tril, whose shape (batch, D, D) differs from mu's (batch, D)."""

import torch

TARGET = "mvn-rsample"
PARAM = None
REDUCTION = None
FRAMEWORK = "torch"
EXPECT = ("gradients by autograd", "wrong gradient with respect to scale_tril")
DEFAULT = True  # in the default run: the gradient counterexample across shapes
REQUIRES = "torch"


def impl(mu, scale_tril, eps):
    return mu + torch.einsum("bi,bij->bj", eps, scale_tril)
