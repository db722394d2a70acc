"""A bfloat16 encoder's KL: computed in bfloat16, returned as float32."""

import torch

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("agrees", "precision")


def impl(mu, logvar):
    m, lv = mu.bfloat16(), logvar.bfloat16()
    return (0.5 * torch.sum(m * m + lv.exp() - 1 - lv, dim=1)).to(torch.float32)
