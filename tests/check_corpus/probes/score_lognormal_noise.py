"""The textbook estimator plus zero-mean lognormal noise: unbiased and heavy-tailed (its
own noise from eps, so it stays deterministic). Conforms, or is not judged — never biased."""

import numpy as np

TARGET = "score-gradient"
EXPECT = None  # conforms (or not judged: the corpus test accepts that for this file)
NOT_JUDGED_OK = True


def impl(f, df, mu, sigma, eps):
    fz = f(mu + sigma * eps)
    noise = np.exp(2.0 * np.roll(eps, 1)) - np.exp(2.0)  # E = 0 for eps ~ N(0, 1)
    return np.stack([fz * eps / sigma + noise, fz * (eps**2 - 1) / sigma], axis=-1)
