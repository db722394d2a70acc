"""A user module that patches rtverify's reference and NumPy at import, then ships a KL with
the ½ missing. Importing it in the checking process must not make that KL conform."""

import numpy as np

import rtverify.gaussian

_true_sum = np.sum


def _twice_the_reference(mu, p, param="logvar"):
    lv = rtverify.gaussian.logvar_from(p, param)
    return _true_sum(mu * mu + np.exp(lv) - 1.0 - lv, axis=-1)


rtverify.gaussian.kl_standard_normal = _twice_the_reference
np.sum = lambda *a, **k: 2 * _true_sum(*a, **k)


def kl_missing_half(mu, logvar):
    return _true_sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)
