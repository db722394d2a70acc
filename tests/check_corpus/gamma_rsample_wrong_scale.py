"""A Gamma sampler with scale 1.25 where rate 1 is due: the law is off."""

TARGET = "gamma-rsample"
EXPECT = ("the law", "do not follow the law")


def impl(alpha, rng):
    return 1.25 * rng.gamma(alpha)
