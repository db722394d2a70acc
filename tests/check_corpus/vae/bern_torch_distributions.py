"""torch.distributions.Bernoulli(logits=ℓ).log_prob(x).sum(-1), batch-summed (float64)."""

from torch.distributions import Bernoulli

TARGET = "bernoulli-log-likelihood"
PARAM = None
REDUCTION = "sum"
FRAMEWORK = "torch"
DTYPE = "float64"
EXPECT = None  # conforms
REQUIRES = "torch"


def impl(x, logits):
    return Bernoulli(logits=logits).log_prob(x).sum()
