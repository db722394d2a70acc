"""False-alarm rate of ``rtverify check`` on correct implementations, over many seeds.

Deterministic targets (gaussian-kl, reparam-sample): every correct implementation must pass for
every seed (stated false-alarm probability 0); reported is also the margin, the largest observed
|got − ref| / tolerance (below 1; how far below shows how loose the rounding bound is).

Gradient targets: each check makes 12 z-tests at α = 1e-6/(12 × 10) (Bonferroni with a 10×
margin for the normal approximation; stated family-wise false-alarm probability ≤ 1e-6).
Over S seeds the observed number of failing checks must be 0 (at 1e-6 no failure is
expected in any feasible number of seeds), so calibration is shown at
looser levels too: the fraction of |z| above 1.96, 3.29 and 4.42 (nominal 5e-2, 1e-3, 1e-5) and
the largest |z| against the critical value. The statistics are computed in-process with the
check's own code (``call_mean_tests``) and the same seeds; ``--full N`` also runs N seeds through
the whole ``check()`` (worker process included) to confirm the verdicts agree.

``calibration`` simulates the studentised tests (plain and skew-corrected, Hall 1992) on a
baselined estimator with many more replications than the seeds above, to see their tails.
``power`` shows the other side: the fraction of seeds on which each buggy estimator of the
corpus is flagged by the unbiasedness tests.

Usage: ``python benchmarks/check_false_alarm.py [--seeds 200] [--power-seeds 20] [--full 3]
[--exclude score_torch]``
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import norm

from rtverify import stats
from rtverify.check import check
from rtverify.check.targets_det import _cases, kl_target, sample_target
from rtverify.check.targets_grad import (
    CALLS,
    CASES,
    SMALL_N,
    TAIL_MARGIN,
    call_mean_tests,
    prepare,
    test_function,
)

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "check_corpus"
LEVELS = (1.96, 3.29, 4.42)
GRADIENT = ("score-gradient", "pathwise-gradient")  # two-sided |z| for α = 5e-2, 1e-3, 1e-5


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXCLUDE: list[str] = []  # substrings of corpus file names to leave out (--exclude)


def corpus_files(targets: tuple[str, ...], correct: bool = True) -> list:
    """(path, module) of the corpus files for ``targets``, correct or buggy ones."""
    out = []
    for path in sorted(CORPUS.glob("*.py")):
        if any(x in path.name for x in EXCLUDE):
            continue
        text = path.read_text(encoding="utf-8")
        if 'REQUIRES = "torch"' in text and importlib.util.find_spec("torch") is None:
            continue
        module = _load(path)
        if (module.EXPECT is None) == correct and module.TARGET in targets:
            out.append((path, module))
    return out


def deterministic(seeds: int) -> None:
    print("deterministic targets: correct implementations, stated false-alarm probability 0")
    for path, m in corpus_files(("gaussian-kl", "reparam-sample")):
        target = kl_target if m.TARGET == "gaussian-kl" else sample_target
        fails, worst = 0, 0.0
        for seed in range(seeds):
            for _, args in _cases(target, m.PARAM, seed):
                with contextlib.redirect_stdout(io.StringIO()):  # kl_prints.py prints
                    got = np.asarray(m.impl(*(a.copy() for a in args)), dtype=np.float64)
                ref = target.reference(args, m.PARAM, m.REDUCTION)
                tol = target.tolerance(args, m.PARAM, m.REDUCTION)
                err = np.abs(got - ref)
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio = np.where(tol > 0, err / tol, np.where(err == 0, 0.0, np.inf))
                worst = max(worst, float(np.max(ratio)))
                fails += not bool(np.all(err <= tol))
        print(f"  {path.name:24s} {seeds} seeds: {fails} failures; worst |err|/tol = {worst:.3f}")


def _rejections(m, seed: int, alpha: float, zs: list[float]) -> bool:
    """Run the check's statistics on IMPL in-process; True if any z-test rejects."""
    rejected = False
    for f, mu, s in CASES:
        tf = test_function(f)
        for n in SMALL_N:
            eps = stats.rng("rtverify check", m.TARGET, seed, f, mu, s, n).standard_normal(
                (CALLS[n], n)
            )
            values = np.stack(
                [np.asarray(m.impl(tf.f, tf.df, mu, s, e.copy()), dtype=np.float64) for e in eps]
            )
            outcomes, _, _ = call_mean_tests(m.TARGET, f, mu, s, eps, values, alpha)
            zs.extend(o.statistic for o in outcomes)
            rejected |= not all(o.passed for o in outcomes)
    return rejected


def gradient(seeds: int) -> None:
    n_tests = 2 * len(CASES) * len(SMALL_N)
    alpha = 1e-6 / (n_tests * TAIL_MARGIN)
    crit = stats.z_critical(alpha)
    print(
        f"gradient targets: {n_tests} z-tests per check at α = {alpha:.2e} (critical "
        f"|z| = {crit:.2f}); stated family-wise false-alarm probability ≤ 1e-6"
    )
    for path, m in corpus_files(GRADIENT):
        prepare(m.TARGET)
        zs: list[float] = []
        started = time.perf_counter()
        failing = sum(_rejections(m, seed, alpha, zs) for seed in range(seeds))
        z = np.abs(np.array(zs))
        tails = ", ".join(
            f"|z|>{c}: {np.mean(z > c):.2e} (nominal {2 * norm.sf(c):.0e})" for c in LEVELS
        )
        print(
            f"  {path.name:24s} {seeds} seeds, {z.size} z-tests: {failing} failing checks "
            f"(observed rate {failing / seeds:.3g}); max |z| = {z.max():.2f}; {tails} "
            f"[{time.perf_counter() - started:.0f} s]"
        )


def power(seeds: int) -> None:
    """Detection rate of the statistical properties on the buggy estimators of the corpus."""
    alpha = 1e-6 / (2 * len(CASES) * len(SMALL_N) * TAIL_MARGIN)
    print(f"power: buggy estimators flagged by the unbiasedness z-tests, over {seeds} seeds")
    for path, m in corpus_files(GRADIENT, correct=False):
        if "unbiased" not in m.EXPECT[0]:
            continue  # flagged by a deterministic property
        prepare(m.TARGET)
        zs: list[float] = []
        flagged = sum(_rejections(m, seed, alpha, zs) for seed in range(seeds))
        print(
            f"  {path.name:28s} flagged {flagged}/{seeds}; median max |z| per check "
            f"{np.median(np.abs(np.array(zs)).reshape(seeds, -1).max(axis=1)):.1f}"
        )


def calibration(reps: int) -> None:
    """Tail rates of the plain and the skew-corrected studentised test on call means of a
    leave-one-out-baselined score estimator (vectorised here: no IMPL calls), at the check's
    sample sizes. Nominal two-sided rates: 1e-3 beyond 3.29, 1e-5 beyond 4.42."""
    gen = np.random.default_rng(2026)
    print(f"calibration of the studentised tests ({reps} replications per configuration):")
    for name, mu, s in CASES:
        tf = test_function(name)
        grad = np.array(tf.grad(mu, s))
        for n in SMALL_N:
            z_plain, z_hall = [], []
            for _ in range(reps // 200):
                eps = gen.standard_normal((200, CALLS[n], n))
                fz = tf.f(mu + s * eps)
                adv = fz - (fz.sum(-1, keepdims=True) - fz) / (n - 1)
                x = np.stack([adv * eps / s, adv * (eps**2 - 1) / s], -1).mean(2) - grad
                m, sd = x.mean(1), x.std(1, ddof=1)
                gamma = ((x - m[:, None]) ** 3).mean(1) / sd**3
                t = m / sd
                root = np.sqrt(CALLS[n])
                z_plain.append(root * t)
                z_hall.append(
                    root * (t + gamma * t**2 / 3 + gamma**2 * t**3 / 27 + gamma / (6 * CALLS[n]))
                )
            rates = []
            for label, z in (("plain", z_plain), ("skew-corrected", z_hall)):
                z = np.abs(np.concatenate(z).ravel())
                rates.append(f"{label}: {np.mean(z > 3.29):.1e}, {np.mean(z > 4.42):.1e}")
            print(
                f"  {name:12s} μ = {mu:4}, σ = {s}, n = {n:2d}: rate beyond 3.29, 4.42: "
                + "; ".join(rates)
            )


def full(seeds: int) -> None:
    print(f"whole check() (worker process) on {seeds} seeds:")
    for path, m in corpus_files(("gaussian-kl", "reparam-sample", *GRADIENT)):
        verdicts = [
            check(m.TARGET, f"{path}:impl", param=m.PARAM, reduction=m.REDUCTION, seed=seed).ok
            for seed in range(seeds)
        ]
        print(f"  {path.name:24s} {sum(verdicts)}/{seeds} conform")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--full", type=int, default=3, help="seeds through the whole check()")
    parser.add_argument("--power-seeds", type=int, default=20)
    parser.add_argument("--calibration-reps", type=int, default=16000)
    parser.add_argument(
        "--only", choices=("deterministic", "gradient", "calibration", "power", "full")
    )
    parser.add_argument(
        "--exclude",
        nargs="*",
        default=[],
        metavar="NAME",
        help="leave out corpus files whose names contain NAME",
    )
    args = parser.parse_args(argv)
    EXCLUDE.extend(args.exclude)
    if args.only in (None, "deterministic"):
        deterministic(args.seeds)
    if args.only in (None, "gradient"):
        gradient(args.seeds)
    if args.only in (None, "calibration") and args.calibration_reps:
        calibration(args.calibration_reps)
    if args.only in (None, "power") and args.power_seeds:
        power(args.power_seeds)
    if args.only in (None, "full") and args.full:
        full(args.full)
    return 0


if __name__ == "__main__":
    sys.exit(main())
