"""An off-by-a-bit scale: sigma * 1.05 (e.g. a mis-set temperature); the fit test must see it."""

TARGET = "rsample"
PARAM = "std"
EXPECT = ("goodness of fit", "variance of (z − μ)/σ is 1: fail")


def impl(mu, std, rng):
    return mu + 1.05 * std * rng.standard_normal(mu.shape)
