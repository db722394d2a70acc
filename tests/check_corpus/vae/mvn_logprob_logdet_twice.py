"""log|det Σ| = 2 Σ log Lᵢᵢ subtracted where ½ log|det Σ| = Σ log Lᵢᵢ is due."""

import numpy as np
from scipy.linalg import solve_triangular

TARGET = "mvn-log-prob"
PARAM = None
REDUCTION = None
EXPECT = ("agrees with the reference", "log|det| counted twice")


def impl(z, mu, scale_tril):
    out = np.empty(z.shape[0])
    for b in range(z.shape[0]):
        e = solve_triangular(scale_tril[b], z[b] - mu[b], lower=True)
        out[b] = (
            -0.5 * (z.shape[1] * np.log(2 * np.pi) + e @ e)
            - 2 * np.log(np.diag(scale_tril[b])).sum()
        )
    return out
