"""torch.distributions.MultivariateNormal(mu, scale_tril=L).log_prob(z) (float64)."""

from torch.distributions import MultivariateNormal

TARGET = "mvn-log-prob"
PARAM = None
REDUCTION = None
FRAMEWORK = "torch"
DTYPE = "float64"
EXPECT = None  # conforms
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework
REQUIRES = "torch"


def impl(z, mu, scale_tril):
    return MultivariateNormal(mu, scale_tril=scale_tril).log_prob(z)
