"""Old-style in-place reparameterize (eps.mul(std).add_(mu)) on a std head, in float64."""

TARGET = "reparam-sample"
FRAMEWORK = "torch"
DTYPE = "float64"
PARAM = "std"
EXPECT = None  # conforms


def impl(mu, std, eps):
    return eps.mul(std).add_(mu)
