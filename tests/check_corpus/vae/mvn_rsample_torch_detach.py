"""torch: the factor detached (as deepdow-style code that builds L outside the graph)."""

TARGET = "mvn-rsample"
PARAM = None
REDUCTION = None
FRAMEWORK = "torch"
EXPECT = ("gradients", "no gradient flows from the output to scale_tril")
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework
REQUIRES = "torch"


def impl(mu, scale_tril, eps):
    return mu + (scale_tril.detach() @ eps.unsqueeze(-1)).squeeze(-1)
