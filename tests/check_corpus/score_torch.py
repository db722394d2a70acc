"""torch autograd of Normal(mu, sigma).log_prob(z), one copy of (mu, sigma) per sample."""

import torch
from torch.distributions import Normal

TARGET = "score-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms
REQUIRES = "torch"


def impl(f, df, mu, sigma, eps):
    n = eps.shape[0]
    m = torch.full((n,), float(mu), dtype=torch.float64, requires_grad=True)
    s = torch.full((n,), float(sigma), dtype=torch.float64, requires_grad=True)
    z = (m + s * torch.from_numpy(eps)).detach()  # REINFORCE: no gradient through z
    Normal(m, s, validate_args=False).log_prob(z).sum().backward()
    fz = torch.from_numpy(f(z.numpy()))
    return torch.stack([fz * m.grad, fz * s.grad], dim=-1)
