"""torch.distributions.kl_divergence of two MultivariateNormal(scale_tril=…) (float32)."""

from torch.distributions import MultivariateNormal, kl_divergence

TARGET = "mvn-kl"
PARAM = None
REDUCTION = None
FRAMEWORK = "torch"
EXPECT = None  # conforms
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework
REQUIRES = "torch"


def impl(mu_q, scale_tril_q, mu_p, scale_tril_p):
    q = MultivariateNormal(mu_q, scale_tril=scale_tril_q)
    return kl_divergence(q, MultivariateNormal(mu_p, scale_tril=scale_tril_p))
