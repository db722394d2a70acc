"""Baseline = mean of f over the same samples (biased by 1 - 1/n)."""

import numpy as np

TARGET = "score-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("unbiased for ∂/∂μ", "baseline computed from the same samples")


def impl(f, df, mu, sigma, eps):
    fz = f(mu + sigma * eps)
    a = fz - fz.mean()
    return np.stack([a * eps / sigma, a * (eps**2 - 1) / sigma], axis=-1)
