"""Mixed precision gone wrong: the KL computed in float16 (autocast-style .half()) and cast back."""

import torch

TARGET = "gaussian-kl"
FRAMEWORK = "torch"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("finite", "inf")  # exp(logvar) overflows float16 above logvar ≈ 11


def impl(mu, logvar):
    m, lv = mu.half(), logvar.half()
    return (-0.5 * torch.sum(1 + lv - m.pow(2) - lv.exp(), dim=1)).float()
