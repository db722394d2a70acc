"""scipy.linalg.solve_triangular per example, log|det L| = Σ log Lᵢᵢ."""

import numpy as np
from scipy.linalg import solve_triangular

TARGET = "mvn-log-prob"
PARAM = None
REDUCTION = None
EXPECT = None  # conforms


def impl(z, mu, scale_tril):
    out = np.empty(z.shape[0])
    for b in range(z.shape[0]):
        e = solve_triangular(scale_tril[b], z[b] - mu[b], lower=True)
        logdet = np.sum(np.log(np.diag(scale_tril[b])))
        out[b] = -0.5 * (z.shape[1] * np.log(2 * np.pi) + e @ e) - logdet
    return out
