"""NumPy round trip: z built in NumPy from the tensors, wrapped back with torch.from_numpy."""

import numpy as np
import torch

TARGET = "rsample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("gradient", "no gradient")


def impl(mu, logvar):
    eps = torch.randn_like(mu).numpy()
    m, lv = mu.detach().numpy(), logvar.detach().numpy()
    return torch.from_numpy(m + eps * np.exp(0.5 * lv))
