"""A Dirichlet sampler whose first two concentrations are swapped."""

TARGET = "dirichlet-rsample"
EXPECT = ("the law", "do not follow the law")


def impl(alpha, rng):
    g = rng.gamma(alpha[:, [1, 0, 2]])
    return g / g.sum(-1, keepdims=True)
