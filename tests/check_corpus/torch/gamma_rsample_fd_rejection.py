"""A Gamma sampler differentiated by finite differences through its rejection sampler: the
same random stream is replayed at α + h. Marsaglia-Tsang's transform at fixed noise ignores the
moving acceptance region (Naesseth et al. 2017): the gradient is biased, and not −∂_αF/p."""

import torch

TARGET = "gamma-rsample"
FRAMEWORK = "torch"
DTYPE = "float64"
EXPECT = ("gradients", "not the implicit")


class _FiniteDifference(torch.autograd.Function):
    @staticmethod
    def forward(ctx, alpha):
        state = torch.get_rng_state()
        z = torch._standard_gamma(alpha)
        ctx.save_for_backward(alpha, z)
        ctx.state = state
        return z

    @staticmethod
    def backward(ctx, grad_z):
        alpha, z = ctx.saved_tensors
        h = 1e-4 * alpha
        now = torch.get_rng_state()
        torch.set_rng_state(ctx.state)
        shifted = torch._standard_gamma(alpha + h)
        torch.set_rng_state(now)
        return grad_z * (shifted - z) / h


def impl(alpha):
    return _FiniteDifference.apply(alpha)
