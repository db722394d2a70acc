"""Old-style in-place reparameterize (eps.mul(std).add_(mu)) on a std head, in float64."""

TARGET = "reparam-sample"
FRAMEWORK = "torch"
DTYPE = "float64"
PARAM = "std"
EXPECT = None  # conforms
DEFAULT = True  # in the default run: one correct and one buggy file per target and framework


def impl(mu, std, eps):
    return eps.mul(std).add_(mu)
