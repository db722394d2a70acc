"""Returns NaN when a call has more than 10 samples (only large calls show it)."""

import numpy as np

TARGET = "score-gradient"
EXPECT = ("finite", "non-finite")
DEFAULT = True


def impl(f, df, mu, sigma, eps):
    fz = f(mu + sigma * eps)
    out = np.stack([fz * eps / sigma, fz * (eps**2 - 1) / sigma], axis=-1)
    return out * np.nan if eps.size > 10 else out
