"""Leave-one-out baseline: unbiased at every n >= 2."""

import numpy as np

TARGET = "score-gradient"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = None  # conforms
#: IMPL − textbook has exponential-type tails at n = 2 (f(z_j)·(ε_i² − 1)/σ); the mean test's
#: Hill gate may decline them ("not judged"), an honest verdict — never "biased".
NOT_JUDGED_OK = True


def impl(f, df, mu, sigma, eps):
    n = eps.size
    fz = f(mu + sigma * eps)
    baseline = (fz.sum() - fz) / (n - 1)
    a = fz - baseline
    return np.stack([a * eps / sigma, a * (eps**2 - 1) / sigma], axis=-1)
