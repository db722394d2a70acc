"""Per-sample REINFORCE without detaching z: log_prob of z = m + s·eps has ∂/∂m = 0."""

import torch
from torch.distributions import Normal

TARGET = "score-gradient"
FRAMEWORK = "torch"
EXPECT = ("unbiased", "biased")


def impl(f, df, mu, sigma, eps):
    n = eps.shape[0]
    m = torch.full((n,), mu, dtype=eps.dtype, requires_grad=True)
    s = torch.full((n,), sigma, dtype=eps.dtype, requires_grad=True)
    z = m + s * eps
    Normal(m, s).log_prob(z).sum().backward()
    fz = f(z.detach())
    return torch.stack([fz * m.grad, fz * s.grad], dim=-1)
