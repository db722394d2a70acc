"""The variance used as the scale: Normal(mu, logvar.exp()).rsample()."""

from torch.distributions import Normal

TARGET = "rsample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("goodness of fit", "variance of (z − μ)/σ is 1: fail")


def impl(mu, logvar):
    return Normal(mu, logvar.exp()).rsample()
