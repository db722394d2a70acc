"""torch: what MultivariateNormal.rsample does with the given noise (_batch_mv(scale_tril, eps))."""

TARGET = "mvn-rsample"
PARAM = None
REDUCTION = None
FRAMEWORK = "torch"
EXPECT = None  # conforms
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework
REQUIRES = "torch"


def impl(mu, scale_tril, eps):
    return mu + (scale_tril @ eps.unsqueeze(-1)).squeeze(-1)
