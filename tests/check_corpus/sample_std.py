"""Parameterized by sigma."""

TARGET = "reparam-sample"
PARAM = "std"
REDUCTION = "none"
EXPECT = None  # conforms


def impl(mu, std, eps):
    return mu + std * eps
