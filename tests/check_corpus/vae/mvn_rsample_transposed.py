"""z = μ + ε L (row vector times L): the factor transposed, a common einsum/matmul slip."""

import numpy as np

TARGET = "mvn-rsample"
PARAM = None
REDUCTION = None
EXPECT = ("agrees with the reference", "uses the transposed factor")


def impl(mu, scale_tril, eps):
    return mu + np.einsum("bi,bij->bj", eps, scale_tril)
