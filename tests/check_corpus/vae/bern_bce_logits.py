"""The stable BCE-with-logits form max(ℓ, 0) − ℓx + log1p(e^{−|ℓ|}), negated and summed."""

import numpy as np

TARGET = "bernoulli-log-likelihood"
PARAM = None
REDUCTION = "none"
EXPECT = None  # conforms


def impl(x, logits):
    bce = np.maximum(logits, 0) - logits * x + np.log1p(np.exp(-np.abs(logits)))
    return -np.sum(bce, axis=-1)
