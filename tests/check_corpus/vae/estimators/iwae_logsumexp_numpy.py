"""correct: IWAE_K with scipy.special.logsumexp − log K, log q by scipy.stats.norm."""

import numpy as np
from scipy.special import logsumexp
from scipy.stats import norm

TARGET = "iwae"
FRAMEWORK = "numpy"
REFERENCE_EXPECT = None  # what tests/test_estimator_corpus.py shows
EXPECT = None  # the verdict of `rtverify check`
DEFAULT = True  # in the default run (statistical since the mean tests; cheap in numpy)


def impl(log_joint, mu, logvar, eps):
    std = np.exp(0.5 * logvar)
    z = mu + std * eps
    log_w = log_joint(z) - norm.logpdf(z, mu, std).sum(-1)
    return logsumexp(log_w, axis=0) - np.log(eps.shape[0])
