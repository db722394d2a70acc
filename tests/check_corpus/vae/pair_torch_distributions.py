"""torch.distributions.kl_divergence(Normal(μ_q, σ_q), Normal(μ_p, σ_p)).sum(-1) (float32)."""

from torch.distributions import Normal, kl_divergence

TARGET = "gaussian-kl-pair"
PARAM = "log_std"
REDUCTION = "none"
FRAMEWORK = "torch"
EXPECT = None  # conforms
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework
REQUIRES = "torch"


def impl(mu_q, log_std_q, mu_p, log_std_p):
    return kl_divergence(Normal(mu_q, log_std_q.exp()), Normal(mu_p, log_std_p.exp())).sum(-1)
