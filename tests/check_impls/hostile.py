"""Implementations that misbehave in ways a sandbox must contain (used by test_check_sandbox)."""

import multiprocessing
import os
import subprocess
import sys
import time

import numpy as np

_calls = [0]


def kl(mu, logvar):
    return 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)


def slow_on_the_fourth_call(mu, logvar):
    """Correct, but the fourth call never returns (it is killed): a hang on a later call."""
    _calls[0] += 1
    if _calls[0] == 4:
        time.sleep(300)
    return kl(mu, logvar)


def three_ms_per_call(mu, logvar):
    """Correct and slow: never a failure, at worst not judged."""
    time.sleep(0.003)
    return kl(mu, logvar)


def writes_to_stderr(mu, logvar):
    print("warning: this goes to stderr", file=sys.stderr)
    os.write(2, b"and so does this, at the C level\n")
    return kl(mu, logvar)


def _square(x):
    return x * x


def uses_a_process_pool(mu, logvar):
    with multiprocessing.get_context("fork").Pool(2) as pool:
        squares = np.array(pool.map(_square, mu.ravel().tolist())).reshape(mu.shape)
    return 0.5 * np.sum(squares + np.exp(logvar) - 1.0 - logvar, axis=-1)


def starts_a_grandchild_and_hangs(mu, logvar):
    """Starts `sleep 300`, writes its pid and its own to RTVERIFY_TEST_PIDS, then hangs."""
    child = subprocess.Popen(["sleep", "300"])
    with open(os.environ["RTVERIFY_TEST_PIDS"], "w") as out:
        out.write(f"{os.getpid()} {child.pid}\n")
    time.sleep(300)
    return kl(mu, logvar)
