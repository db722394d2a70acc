"""Σ = LLᵀ formed and inverted (np.linalg.inv, slogdet): cond(Σ) = cond(L)² loses the digits
when the diagonal of L spans 1e-6 … 1e6."""

import numpy as np

TARGET = "mvn-log-prob"
PARAM = None
REDUCTION = None
EXPECT = ("agrees with the reference", "far above float64 rounding")


def impl(z, mu, scale_tril):
    cov = scale_tril @ np.swapaxes(scale_tril, -1, -2)
    r = z - mu
    quad = np.einsum("bi,bij,bj->b", r, np.linalg.inv(cov), r)
    return -0.5 * (z.shape[1] * np.log(2 * np.pi) + np.linalg.slogdet(cov)[1] + quad)
