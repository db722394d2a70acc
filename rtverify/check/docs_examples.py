"""The example implementations of ``docs/checking.md``: real code, checked for real.

Each entry: (file name, source). The page (:mod:`rtverify.check.docs`) writes them to a
temporary directory and pastes the reports rtverify gives them.
"""

from __future__ import annotations

__all__ = ["EXAMPLES", "PYTEST_EXAMPLE"]

MY_VAE = """import numpy as np


def kl_buggy(mu, logvar):
    return np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)


def kl(mu, logvar):
    return -0.5 * np.sum(1 + logvar - mu**2 - np.exp(logvar), axis=-1)


def sample(mu, logvar, eps):
    return mu + np.exp(logvar) * eps
"""

REINFORCE = """import numpy as np


def grad(f, df, mu, sigma, eps):
    fz = f(mu + sigma * eps)
    advantage = fz - fz.mean()  # baseline from the same samples
    return np.stack([advantage * eps / sigma, advantage * (eps**2 - 1) / sigma], axis=-1)
"""

TORCH_VAE = """import torch
from torch.distributions import Normal


def kl(mu, logvar):  # pytorch/examples' VAE, float32 as trained
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)


def kl_eps(mu, logvar):  # "for stability"
    var = logvar.exp()
    return -0.5 * torch.sum(1 + torch.log(var + 1e-8) - mu.pow(2) - var, dim=1)


def reparameterize(mu, logvar):
    std = torch.exp(0.5 * logvar)
    return mu + torch.randn_like(std) * std


def reparameterize_buggy(mu, logvar):
    return Normal(mu, torch.exp(0.5 * logvar)).sample()  # right values, no gradient


def reinforce(f, mu, logvar):  # a score-function surrogate
    q = Normal(mu, torch.exp(0.5 * logvar))
    z = q.sample()
    return (f(z) * q.log_prob(z)).sum()


def reinforce_on_rsample(f, mu, logvar):  # rsample'd z: the pathwise term is counted too
    q = Normal(mu, torch.exp(0.5 * logvar))
    z = q.rsample()
    return (f(z) * q.log_prob(z)).sum()
"""

JAX_VAE = """import jax
import jax.numpy as jnp


def reparameterize(key, mu, logvar):  # as in the flax VAE example
    std = jnp.exp(0.5 * logvar)
    return mu + std * jax.random.normal(key, logvar.shape)


def sample_stopped(mu, logvar, eps):
    return mu + jax.lax.stop_gradient(jnp.exp(0.5 * logvar)) * eps


def pathwise(key, f, mu, logvar):
    z = mu + jnp.exp(0.5 * logvar) * jax.random.normal(key, mu.shape)
    return f(z).sum()
"""

PYTEST_EXAMPLE = """from rtverify.check import assert_conforms

from my_vae import sample


def test_sampler_conforms():
    assert_conforms("reparam-sample", sample, param="logvar")


def test_torch_kl_conforms(rtverify_conforms):  # the same, as a fixture of the plugin
    rtverify_conforms("gaussian-kl", "torch_vae:kl", framework="torch")
"""

EXAMPLES = {
    "my_vae.py": MY_VAE,
    "reinforce.py": REINFORCE,
    "torch_vae.py": TORCH_VAE,
    "jax_vae.py": JAX_VAE,
}
