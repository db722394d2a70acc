"""bug: log(mean(exp(log w))) without the max shift: overflows (inf) or underflows (−inf) when
the log-weights reach ±1e3."""

import numpy as np
from scipy.stats import norm

TARGET = "iwae"
FRAMEWORK = "numpy"
REFERENCE_EXPECT = "not finite"  # what tests/test_estimator_corpus.py shows
EXPECT = ("finite for finite inputs", "returns -inf")  # the verdict of `rtverify check`
DEFAULT = True  # in the default run (statistical since the mean tests; cheap in numpy)


def impl(log_joint, mu, logvar, eps):
    std = np.exp(0.5 * logvar)
    z = mu + std * eps
    log_w = log_joint(z) - norm.logpdf(z, mu, std).sum(-1)
    with np.errstate(over="ignore", divide="ignore"):
        return np.log(np.mean(np.exp(log_w), axis=0))
