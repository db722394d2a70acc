"""Given sigma^2, uses it as sigma."""

TARGET = "reparam-sample"
PARAM = "var"
REDUCTION = "none"
EXPECT = ("agrees", "uses σ² where σ is due")


def impl(mu, var, eps):
    return mu + var * eps
