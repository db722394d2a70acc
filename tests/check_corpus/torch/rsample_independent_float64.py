"""Independent(Normal(mu, std), 1).rsample() in a float64 model, std head."""

from torch.distributions import Independent, Normal

TARGET = "rsample"
FRAMEWORK = "torch"
DTYPE = "float64"
PARAM = "std"
EXPECT = None  # conforms


def impl(mu, std):
    return Independent(Normal(mu, std), 1).rsample()
