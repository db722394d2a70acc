"""The sample computed in float16 (a .half() decoder) and cast back to float32."""

import torch

TARGET = "rsample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("gradient", "precision")


def impl(mu, logvar):
    m, lv = mu.half(), logvar.half()
    return (m + torch.randn_like(m) * torch.exp(0.5 * lv)).float()
