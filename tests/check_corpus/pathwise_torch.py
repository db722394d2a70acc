"""torch autograd through z = mu + sigma * eps, one copy of (mu, sigma) per sample."""

import torch

TARGET = "pathwise-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms
REQUIRES = "torch"


def impl(f, df, mu, sigma, eps):
    n = eps.shape[0]
    m = torch.full((n,), float(mu), dtype=torch.float64, requires_grad=True)
    s = torch.full((n,), float(sigma), dtype=torch.float64, requires_grad=True)
    z = m + s * torch.from_numpy(eps)
    slope = torch.from_numpy(df(z.detach().numpy()))
    (slope * z).sum().backward()  # d f(z) = f'(z) dz
    return torch.stack([m.grad, s.grad], dim=-1)
