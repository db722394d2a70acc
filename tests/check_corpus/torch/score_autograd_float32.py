"""Per-sample REINFORCE in float32 tensors: f(z) times autograd of Normal(m, s).log_prob(z)."""

import torch
from torch.distributions import Normal

TARGET = "score-gradient"
FRAMEWORK = "torch"
EXPECT = None  # conforms


def impl(f, df, mu, sigma, eps):
    n = eps.shape[0]
    m = torch.full((n,), mu, dtype=eps.dtype, requires_grad=True)
    s = torch.full((n,), sigma, dtype=eps.dtype, requires_grad=True)
    z = (m + s * eps).detach()
    Normal(m, s).log_prob(z).sum().backward()
    fz = f(z)
    return torch.stack([fz * m.grad, fz * s.grad], dim=-1)
