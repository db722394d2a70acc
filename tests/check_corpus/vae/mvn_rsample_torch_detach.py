"""torch: the factor detached (as deepdow-style code that builds L outside the graph)."""

TARGET = "mvn-rsample"
PARAM = None
REDUCTION = None
FRAMEWORK = "torch"
EXPECT = ("gradients", "no gradient flows from the output to scale_tril")
REQUIRES = "torch"


def impl(mu, scale_tril, eps):
    return mu + (scale_tril.detach() @ eps.unsqueeze(-1)).squeeze(-1)
