"""The variance used as the scale in a pathwise objective: Normal(mu, logvar.exp()).rsample()."""

from torch.distributions import Normal

TARGET = "gradient-estimator"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("unbiased", "biased")


def impl(f, mu, logvar):
    return f(Normal(mu, logvar.exp()).rsample()).sum()
