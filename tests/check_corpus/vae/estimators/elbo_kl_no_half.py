"""bug: the KL term without its ½ (biased low by KL(q ‖ p))."""

import numpy as np

TARGET = "elbo"
FRAMEWORK = "numpy"
REFERENCE_EXPECT = "biased"  # what tests/test_estimator_corpus.py shows
EXPECT = ("agrees per call", "the KL is missing its ½")  # the verdict of `rtverify check`
DEFAULT = True  # in the default run (statistical since the mean tests; cheap in numpy)


def impl(log_likelihood, mu, logvar, eps):
    z = mu + np.exp(0.5 * logvar) * eps
    return log_likelihood(z) + np.sum(1 + logvar - mu**2 - np.exp(logvar), axis=-1)
