"""bug: logsumexp without − log K (an upper bound's worth of log K too high)."""

import numpy as np
from scipy.special import logsumexp
from scipy.stats import norm

TARGET = "iwae"
FRAMEWORK = "numpy"
REFERENCE_EXPECT = "differs"  # what tests/test_estimator_corpus.py shows
EXPECT = ("agrees per call", "logsumexp without − log K")  # the verdict of `rtverify check`
DEFAULT = True  # in the default run (statistical since the mean tests; cheap in numpy)


def impl(log_joint, mu, logvar, eps):
    std = np.exp(0.5 * logvar)
    z = mu + std * eps
    return logsumexp(log_joint(z) - norm.logpdf(z, mu, std).sum(-1), axis=0)
