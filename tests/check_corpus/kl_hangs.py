"""Never returns."""

import time

TARGET = "gaussian-kl"
PARAM = "logvar"
REDUCTION = "none"
EXPECT = ("shape", "times out")


def impl(mu, logvar):
    time.sleep(60)
