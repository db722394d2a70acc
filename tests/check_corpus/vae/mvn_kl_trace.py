"""The textbook trace form through triangular solves (numpy/scipy)."""

import numpy as np
from scipy.linalg import solve_triangular

TARGET = "mvn-kl"
PARAM = None
REDUCTION = None
EXPECT = None  # conforms


def impl(mu_q, scale_tril_q, mu_p, scale_tril_p):
    out = np.empty(mu_q.shape[0])
    for b in range(mu_q.shape[0]):
        m = solve_triangular(scale_tril_p[b], scale_tril_q[b], lower=True)
        y = solve_triangular(scale_tril_p[b], mu_p[b] - mu_q[b], lower=True)
        logdet = 2 * np.sum(np.log(np.diag(scale_tril_p[b])) - np.log(np.diag(scale_tril_q[b])))
        out[b] = 0.5 * (np.sum(m * m) + y @ y - mu_q.shape[1] + logdet)
    return out
