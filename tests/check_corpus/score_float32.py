"""Single precision output."""

import numpy as np

TARGET = "score-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("precision", "float32")


def impl(f, df, mu, sigma, eps):
    fz = f(mu + sigma * eps)
    out = np.stack([fz * eps / sigma, fz * (eps**2 - 1) / sigma], axis=-1)
    return out.astype(np.float32)
