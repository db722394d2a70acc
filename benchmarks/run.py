"""Throughput of the estimators, printed as ONE JSON object.

Keys (ratios > 1 mean faster than the baseline):

- ``toy_experiment_vs_rng``: the notebook's variance study (θ = 2, N ∈ {10, …, 10⁵}, 100
  repetitions; ``rtverify.experiment.run_study``) in samples/s per estimator, divided by the rate
  of plain ``Generator.standard_normal(out=buffer)`` filling the same number of samples in the
  same run (goal ≥ 0.85); the minimum over the two estimators, per-estimator values beside it.
- ``toy_experiment_vs_notebook_loop``: speed-up of the whole study (both estimators, default
  paired draws: one ε per sample serves both, as in the notebook's first cell) over the
  notebook's own Python loop (``np.random.randn`` twice per repetition; goal ≥ 2.7).
  ``_independent``: our study with a separate ε stream per estimator (the same number of
  random numbers as the notebook); ``_generator``: the notebook loop with a ``Generator``
  against our paired study.
- ``general_f``: samples/s of ``repeated_means`` and of the per-sample ``score_samples`` /
  ``pathwise_samples`` on other family members, relative to the RNG rate.
- ``exact_moments_first_use_seconds``: SymPy derivation + lambdify of a new test function's mean,
  gradient and both variances (the cost ``functools.cache`` pays once).

Timing: process CPU time (``time.process_time``; everything runs on one thread, BLAS included),
so time spent descheduled on a shared machine does not count; each measurement is repeated
``--repeat`` times, interleaved, and the minimum is kept.

Usage: ``python benchmarks/run.py [--repeat 5]``
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from rtverify import testfunctions as T  # noqa: E402
from rtverify.estimators import (  # noqa: E402
    BLOCK,
    pathwise_samples,
    repeated_means,
    score_samples,
)
from rtverify.experiment import REPS, SIZES, THETA, run_study  # noqa: E402


def _timed(fn) -> float:
    """CPU seconds of ``fn()`` in this (single-threaded) process: unlike wall time, not
    inflated while other processes hold the core."""
    started = time.process_time()
    fn()
    return time.process_time() - started


def _rng_fill(total: int) -> float:
    """Seconds for Generator.standard_normal to fill ``total`` samples into a BLOCK buffer."""
    g, buf = np.random.default_rng(1), np.empty(BLOCK)
    full, rest = divmod(total, BLOCK)

    def run():
        for _ in range(full):
            g.standard_normal(out=buf)
        if rest:
            g.standard_normal(out=buf[:rest])

    return _timed(run)


def _notebook_loop(randn) -> None:
    """The notebook's cell [66], verbatim but for the print statements."""
    theta = THETA
    grad1 = lambda x: np.sum(np.square(x) * (x - theta)) / x.size  # noqa: E731
    grad2 = lambda eps: np.sum(2 * (theta + eps)) / eps.size  # noqa: E731
    est1, est2 = np.zeros(REPS), np.zeros(REPS)
    means1, vars1 = np.zeros(len(SIZES)), np.zeros(len(SIZES))
    means2, vars2 = np.zeros(len(SIZES)), np.zeros(len(SIZES))
    for i, n in enumerate(SIZES):
        for r in range(REPS):
            x = randn(n) + theta
            est1[r] = grad1(x)
            eps = randn(n)
            est2[r] = grad2(eps)
        means1[i], means2[i] = np.mean(est1), np.mean(est2)
        vars1[i], vars2[i] = np.var(est1), np.var(est2)


def toy_experiment(repeat: int) -> dict:
    per_estimator = REPS * sum(SIZES)
    run_study(sizes=(10,), reps=2)  # warm the exact-moment cache and the imports
    legacy = np.random.RandomState(1)
    gen = np.random.default_rng(1)
    times: dict[str, list[float]] = {
        k: []
        for k in (
            "rng",
            "score",
            "pathwise",
            "both",
            "both_independent",
            "notebook",
            "notebook_generator",
        )
    }
    for _ in range(repeat):
        times["rng"].append(_rng_fill(per_estimator))
        times["score"].append(_timed(lambda: run_study(estimators=("score",))))
        times["pathwise"].append(_timed(lambda: run_study(estimators=("pathwise",))))
        times["both"].append(_timed(run_study))
        times["both_independent"].append(_timed(lambda: run_study(paired=False)))
        times["notebook"].append(_timed(lambda: _notebook_loop(legacy.randn)))
        times["notebook_generator"].append(_timed(lambda: _notebook_loop(gen.standard_normal)))
    best = {k: min(v) for k, v in times.items()}
    ratios = {e: round(best["rng"] / best[e], 3) for e in ("score", "pathwise")}
    return {
        "toy_experiment_vs_rng": min(ratios.values()),
        "toy_experiment_vs_rng_per_estimator": ratios,
        "toy_experiment_vs_notebook_loop": round(best["notebook"] / best["both"], 2),
        "toy_experiment_vs_notebook_loop_independent": round(
            best["notebook"] / best["both_independent"], 2
        ),
        "toy_experiment_vs_notebook_loop_generator": round(
            best["notebook_generator"] / best["both"], 2
        ),
        "toy_experiment_samples_per_estimator": per_estimator,
        "toy_experiment_seconds": {k: round(v, 4) for k, v in best.items()},
        "rng_samples_per_second": round(per_estimator / best["rng"]),
    }


def general_f(repeat: int, n: int = 1 << 20) -> dict:
    """Blocked means (one n-sample mean, both components) and per-sample arrays on other f;
    the RNG fill is re-timed beside each measurement (interleaved, minimum kept)."""
    out = {}
    eps = np.random.default_rng(2).standard_normal(n)
    for name in ("cos(z)", "exp(-z^2/2)", "abs", "quartic"):
        tf = T.get(name)
        row = {}
        for est, fn in (("score", score_samples), ("pathwise", pathwise_samples)):
            rng_t, blocked, samples = [], [], []
            for _ in range(repeat):
                rng_t.append(_rng_fill(n))
                blocked.append(
                    _timed(
                        lambda est=est, tf=tf: repeated_means(
                            est, tf.f, tf.df, 0.3, 0.8, n, 1, np.random.default_rng(3)
                        )
                    )
                )
                samples.append(_timed(lambda fn=fn, tf=tf: fn(tf.f, tf.df, 0.3, 0.8, eps)))
            row[f"{est}_repeated_means_vs_rng"] = round(min(rng_t) / min(blocked), 3)
            row[f"{est}_samples_per_second"] = round(n / min(samples))
        out[name] = row
    return out


def first_use() -> float:
    tf = T.cosine(7 / 3)
    return round(
        _timed(
            lambda: (tf.grad(0.1, 0.9), tf.score_variance(0.1, 0.9), tf.pathwise_variance(0.1, 0.9))
        ),
        3,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    result = {
        **toy_experiment(args.repeat),
        "general_f": general_f(args.repeat),
        "exact_moments_first_use_seconds": first_use(),
        "goals": {"toy_experiment_vs_rng": 0.85, "toy_experiment_vs_notebook_loop": 2.7},
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
            "load_average_1min": round(os.getloadavg()[0], 2),
            "threads": "1 (OMP/OPENBLAS/MKL_NUM_THREADS)",
            "repeat": args.repeat,
        },
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
