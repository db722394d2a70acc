"""z = μ + L ε by a batched matmul (numpy)."""

import numpy as np

TARGET = "mvn-rsample"
PARAM = None
REDUCTION = None
EXPECT = None  # conforms


def impl(mu, scale_tril, eps):
    return mu + np.matmul(scale_tril, eps[..., None])[..., 0]
