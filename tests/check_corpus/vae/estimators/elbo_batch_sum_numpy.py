"""correct: the ELBO summed over the batch (pytorch/examples' VAE loss, negated), Monte Carlo KL."""

import numpy as np

TARGET = "elbo"
FRAMEWORK = "numpy"
REDUCTION = "sum"
REFERENCE_EXPECT = None  # per-example values only: checked by `rtverify check`, not the reference
EXPECT = None  # the verdict of `rtverify check`
DEFAULT = True  # in the default run (cheap in numpy)


def impl(log_likelihood, mu, logvar, eps):
    z = mu + np.exp(0.5 * logvar) * eps
    log_pz = -0.5 * np.sum(z**2 + np.log(2 * np.pi), axis=-1)
    log_q = -0.5 * np.sum(eps**2 + np.log(2 * np.pi) + logvar, axis=-1)
    return np.sum(log_likelihood(z) + log_pz - log_q)
