"""KL(p ‖ q) where KL(q ‖ p) is due: the prior and the posterior passed the other way round."""

import numpy as np

TARGET = "gaussian-kl-pair"
PARAM = "std"
REDUCTION = "none"
EXPECT = ("agrees with the reference", "the arguments are swapped")


def impl(mu_q, std_q, mu_p, std_p):
    return np.sum(
        np.log(std_q / std_p) + (std_p**2 + (mu_p - mu_q) ** 2) / (2 * std_q**2) - 0.5, axis=-1
    )
