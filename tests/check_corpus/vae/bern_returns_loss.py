"""Returns the reconstruction *loss* (BCE) where the log-likelihood is due."""

import numpy as np

TARGET = "bernoulli-log-likelihood"
PARAM = None
REDUCTION = "none"
EXPECT = ("agrees with the reference", "returns the loss −log p")


def impl(x, logits):
    return np.sum(np.logaddexp(0, logits) - x * logits, axis=-1)
