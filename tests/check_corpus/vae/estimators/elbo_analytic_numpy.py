"""correct: hand-written VAE loss (numpy), reconstruction term minus the closed-form KL."""

import numpy as np

TARGET = "elbo"
FRAMEWORK = "numpy"
REFERENCE_EXPECT = None  # what tests/test_estimator_corpus.py shows
EXPECT = None  # the verdict of `rtverify check`
DEFAULT = True  # in the default run (statistical since the mean tests; cheap in numpy)


def impl(log_likelihood, mu, logvar, eps):
    z = mu + np.exp(0.5 * logvar) * eps
    kl = -0.5 * np.sum(1 + logvar - mu**2 - np.exp(logvar), axis=-1)
    return log_likelihood(z) - kl
