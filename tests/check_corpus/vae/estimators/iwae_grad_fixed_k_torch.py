"""correct: IWAE code as written for training — K fixed in the module, 3 arguments."""

import torch
from torch.distributions import Normal

TARGET = "iwae-gradient"
FRAMEWORK = "torch"
REFERENCE_EXPECT = None  # what tests/test_estimator_corpus.py shows
EXPECT = None  # the verdict of `rtverify check` (run with --k K)
DEFAULT = True  # in the default run: the three-argument form
K = 5  # importance samples


def impl(log_joint, mu, logvar):
    q = Normal(mu, torch.exp(0.5 * logvar))
    z = q.rsample((K,))
    log_w = log_joint(z) - q.log_prob(z).sum(-1)
    return (torch.logsumexp(log_w, 0) - torch.log(torch.tensor(float(K)))).sum()
