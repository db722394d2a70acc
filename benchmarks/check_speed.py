"""Wall time of one ``rtverify check`` per target and framework, in a fresh process.

Each run is the console command ``python -m rtverify check TARGET FILE:impl --framework …`` in a
new process — interpreter start, rtverify, the framework's import (torch, jax) and JIT included —
repeated ``--repeat`` times; reported are the median and the maximum wall time, the median CPU
time (user + system) of the descendants that were waited for — a lower bound: a worker not
reaped by its parent is not counted — the exit code and the machine's load average when the runs
started (the machine is shared: wall times under load are upper bounds). Issue 8 asks for one
torch or JAX check, framework import included, in ≤ 5 s. ``--api`` also times
:func:`rtverify.check.check` a second time in one process (warm: imports and the worker's zygote
already paid for).

Usage: ``python benchmarks/check_speed.py [--repeat 3] [--api] [--only torch jax] [--vae]``
(``--vae``: the targets of the VAE reference, issue 11's goal of ≤ 10 s each).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "check_corpus"
GOAL_SECONDS = 5.0  # issue 8: one torch or JAX check, framework import included
VAE_GOAL_SECONDS = 10.0  # issue 11: each check of the VAE reference, framework import included

#: (target, framework, corpus file, extra options): one correct implementation per cell
RUNS = (
    ("gaussian-kl", "numpy", "kl_naive.py", ()),
    ("gaussian-kl", "torch", "torch/kl_pytorch_examples.py", ()),
    ("gaussian-kl", "jax", "jax/kl_flax_vae.py", ()),
    ("reparam-sample", "numpy", "sample_ok.py", ()),
    ("reparam-sample", "torch", "torch/sample_pytorch_examples.py", ()),
    ("reparam-sample", "jax", "jax/sample_flax.py", ()),
    ("rsample", "numpy", "rsample/numpy_generator.py", ()),
    ("rsample", "torch", "torch/rsample_randn_like.py", ()),
    ("rsample", "jax", "jax/rsample_flax.py", ()),
    ("score-gradient", "numpy", "score_textbook.py", ()),
    ("score-gradient", "torch", "torch/score_autograd_float32.py", ()),
    ("score-gradient", "jax", "jax/score_vmap_grad_logprob.py", ()),
    ("pathwise-gradient", "numpy", "pathwise_textbook.py", ()),
    ("pathwise-gradient", "torch", "torch/pathwise_mixed_float32.py", ()),
    ("pathwise-gradient", "jax", "jax/pathwise_vmap_grad.py", ()),
    ("gradient-estimator", "torch", "torch/ge_pathwise_rsample.py", ()),
    ("gradient-estimator", "torch", "torch/ge_reinforce.py", ()),
    ("gradient-estimator", "jax", "jax/ge_pathwise.py", ()),
)

#: the targets of the VAE reference (issue 11): one correct implementation per cell (``--vae``)
VAE_RUNS = (
    ("gaussian-kl-pair", "torch", "vae/pair_torch_distributions.py", ("--param", "log_std")),
    ("gaussian-kl-pair", "jax", "vae/pair_jax.py", ("--param", "var", "--reduction", "sum")),
    ("mvn-rsample", "torch", "vae/mvn_rsample_torch.py", ()),
    ("mvn-log-prob", "torch", "vae/mvn_logprob_torch.py", ("--dtype", "float64")),
    ("mvn-kl", "torch", "vae/mvn_kl_torch.py", ()),
    ("bernoulli-log-likelihood", "torch", "vae/bern_torch_bce.py", ()),
    ("elbo", "torch", "vae/estimators/elbo_mc_torch.py", ()),
    ("elbo", "jax", "vae/estimators/elbo_jax.py", ()),
    ("iwae", "torch", "vae/estimators/iwae_logsumexp_torch.py", ()),
    ("iwae", "jax", "vae/estimators/iwae_jax.py", ()),
    ("elbo-gradient", "torch", "vae/estimators/grad_standard_torch.py", ()),
    ("elbo-gradient", "jax", "vae/estimators/grad_standard_jax.py", ()),
    ("iwae-gradient", "torch", "vae/estimators/dreg_torch.py", ("--k", "8")),
)


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _cli(
    target: str, framework: str, name: str, extra: tuple[str, ...]
) -> tuple[float, float, int]:
    started, cpu = time.perf_counter(), _cpu()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rtverify",
            "check",
            target,
            f"{CORPUS / name}:impl",
            "--framework",
            framework,
            *extra,
        ],
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, _cpu() - cpu, proc.returncode


def _import_seconds(framework: str) -> float:
    """Time to import the framework alone in a fresh interpreter (part of every check's time)."""
    if framework == "numpy":
        return 0.0
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {framework}"], check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--api", action="store_true", help="also time the warm Python API")
    parser.add_argument("--only", nargs="*", default=[], metavar="FRAMEWORK")
    parser.add_argument("--vae", action="store_true", help="the VAE targets (goal 10 s)")
    args = parser.parse_args(argv)
    goal = VAE_GOAL_SECONDS if args.vae else GOAL_SECONDS
    runs = [
        r
        for r in (VAE_RUNS if args.vae else RUNS)
        if (not args.only or r[1] in args.only)
        and (r[1] == "numpy" or importlib.util.find_spec(r[1]) is not None)
    ]
    for fw in sorted({r[1] for r in runs} - {"numpy"}):
        print(f"import {fw} alone: {_import_seconds(fw):.2f} s (load {os.getloadavg()[0]:.1f})")
    over = 0
    print(
        f"{'target':24s} {'framework':9s} {'file':38s} {'median s':>8s} {'max s':>6s} "
        f"{'CPU s':>6s} exit load"
    )
    for target, fw, name, extra in runs:
        load = os.getloadavg()[0]
        times, cpus, codes = zip(
            *(_cli(target, fw, name, extra) for _ in range(args.repeat)), strict=True
        )
        over += fw != "numpy" and statistics.median(times) > goal
        print(
            f"{target:24s} {fw:9s} {name:38s} {statistics.median(times):8.2f} {max(times):6.2f} "
            f"{statistics.median(cpus):6.2f} {sorted(set(codes))} {load:.1f}"
        )
    if args.api:
        from rtverify.check import check

        print("warm Python API (second run in one process):")
        for target, fw, name, _ in runs:
            check(target, f"{CORPUS / name}:impl", framework=fw)
            started = time.perf_counter()
            check(target, f"{CORPUS / name}:impl", framework=fw)
            print(f"  {target:19s} {fw:9s} {name:34s} {time.perf_counter() - started:6.2f} s")
    print(f"torch/jax checks whose median is over the {goal:g} s goal: {over}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
