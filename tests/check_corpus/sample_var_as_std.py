"""Given sigma^2, uses it as sigma."""

TARGET = "reparam-sample"
PARAM = "var"
REDUCTION = "none"
EXPECT = ('agrees', 'reads the var argument as std')


def impl(mu, var, eps):
    return mu + var * eps
