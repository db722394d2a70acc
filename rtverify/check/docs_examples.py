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


def sample_detached(mu, logvar, eps):  # σ detached "for stability"
    return mu + eps * torch.exp(0.5 * logvar).detach()


def score_per_sample(f, df, mu, sigma, eps):  # REINFORCE per sample, float32 tensors
    fz = f(mu + sigma * eps)
    return torch.stack([fz * eps / sigma, fz * (eps**2 - 1) / sigma], dim=-1)


def pathwise_per_sample(f, df, mu, sigma, eps):  # σ² where σ is due in z
    slope = df(mu + sigma**2 * eps)
    return torch.stack([slope, slope * eps], dim=-1)


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


def kl(mean, logvar):  # the flax VAE example's KL term
    return -0.5 * jnp.sum(1 + logvar - jnp.square(mean) - jnp.exp(logvar), axis=-1)


def score_per_sample(f, df, mu, sigma, eps):  # REINFORCE per sample
    fz = f(mu + sigma * eps)
    return jnp.stack([fz * eps / sigma, fz * (eps**2 - 1) / sigma], axis=-1)


def pathwise_per_sample(f, df, mu, sigma, eps):  # d f(μ + σε) = f'(z)·(dμ + ε dσ)
    slope = df(mu + sigma * eps)
    return jnp.stack([slope, slope * eps], axis=-1)


def reparameterize(key, mu, logvar):  # as in the flax VAE example
    std = jnp.exp(0.5 * logvar)
    return mu + std * jax.random.normal(key, logvar.shape)


def sample_stopped(mu, logvar, eps):
    return mu + jax.lax.stop_gradient(jnp.exp(0.5 * logvar)) * eps


def pathwise(key, f, mu, logvar):
    z = mu + jnp.exp(0.5 * logvar) * jax.random.normal(key, mu.shape)
    return f(z).sum()
"""

VAE_TERMS = """import torch
import torch.nn.functional as F
from torch.distributions import MultivariateNormal, Normal, kl_divergence


def kl_pair(mu_q, logvar_q, mu_p, logvar_p):  # a learned prior, as diffusers' kl(other)
    return kl_divergence(
        Normal(mu_q, (0.5 * logvar_q).exp()), Normal(mu_p, (0.5 * logvar_p).exp())
    ).sum(-1)


def kl_pair_lvae(mu_q, logvar_q, mu_p, logvar_p):  # LVAE's term: the log-ratio lacks its ½
    return torch.sum(
        logvar_p - logvar_q + (logvar_q.exp() + (mu_q - mu_p) ** 2) / (2 * logvar_p.exp()) - 0.5,
        dim=-1,
    )


def mvn_sample(mu, scale_tril, eps):  # z = μ + Lε, with Lᵀ by mistake
    return mu + torch.einsum("bi,bij->bj", eps, scale_tril)


def mvn_log_prob(z, mu, scale_tril):
    return MultivariateNormal(mu, scale_tril=scale_tril).log_prob(z)


def mvn_kl(mu_q, scale_tril_q, mu_p, scale_tril_p):
    return kl_divergence(
        MultivariateNormal(mu_q, scale_tril=scale_tril_q),
        MultivariateNormal(mu_p, scale_tril=scale_tril_p),
    )


def bernoulli(x, logits):
    return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)


def elbo(log_likelihood, mu, logvar, eps):  # pytorch/examples: -(BCE + KLD), a batch sum
    z = mu + eps * torch.exp(0.5 * logvar)
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return log_likelihood(z).sum() - kld


def elbo_stl(log_joint, mu, logvar):  # Roeder et al. (STL): log q with its parameters stopped
    std = torch.exp(0.5 * logvar)
    z = mu + std * torch.randn_like(std)
    return (log_joint(z) - Normal(mu.detach(), std.detach()).log_prob(z).sum(-1)).sum()


def iwae_naive(log_joint, mu, logvar, eps):  # log(mean(exp(log w))): overflows
    std = torch.exp(0.5 * logvar)
    z = mu + std * eps
    log_w = log_joint(z) - Normal(mu, std).log_prob(z).sum(-1)
    return torch.log(torch.mean(torch.exp(log_w), dim=0))


K = 8  # importance samples: rtverify is told with --k 8


def dreg(log_joint, mu, logvar):  # Tucker et al.: log q with its parameters stopped
    std = torch.exp(0.5 * logvar)
    z = mu + std * torch.randn((K, *mu.shape), dtype=mu.dtype)
    log_w = log_joint(z) - Normal(mu.detach(), std.detach()).log_prob(z).sum(-1)
    w = torch.softmax(log_w, dim=0).detach()
    return (w**2 * log_w).sum()
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
    "vae_terms.py": VAE_TERMS,
}
