"""NumPy's Gamma sampler (no gradient to judge under numpy: the law only)."""

TARGET = "gamma-rsample"
EXPECT = None  # conforms


def impl(alpha, rng):
    return rng.gamma(alpha)
