"""z computed in float16 (a .half() model) and returned as float32."""

TARGET = "reparam-sample"
FRAMEWORK = "torch"
PARAM = "logvar"
EXPECT = ("finite", "inf")  # float16 overflows; its rounding is also "off by a factor 0.999828"


def impl(mu, logvar, eps):
    return (mu.half() + eps.half() * (0.5 * logvar.half()).exp()).float()
