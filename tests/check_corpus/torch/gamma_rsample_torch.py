"""torch's own Gamma sampler in float64: its gradient comes from approximations built for
float32 (series, asymptotic and rational fits): relative errors up to ~6e-4 (rtverify audit
torch), far above float64 rounding."""

import torch

TARGET = "gamma-rsample"
FRAMEWORK = "torch"
DTYPE = "float64"
EXPECT = ("gradients", "not the implicit")
DEFAULT = True


def impl(alpha):
    return torch.distributions.Gamma(alpha, torch.ones_like(alpha)).rsample()
