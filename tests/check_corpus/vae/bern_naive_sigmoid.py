"""x log σ(ℓ) + (1 − x) log(1 − σ(ℓ)) with the probabilities formed first: log 0 at |ℓ| ≳ 37."""

import numpy as np

TARGET = "bernoulli-log-likelihood"
PARAM = None
REDUCTION = "none"
EXPECT = ("finite for finite inputs", "returns -inf")


def impl(x, logits):
    p = 1.0 / (1.0 + np.exp(-logits))
    return np.sum(x * np.log(p) + (1 - x) * np.log(1 - p), axis=-1)
