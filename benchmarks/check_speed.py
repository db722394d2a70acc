"""Wall time of one ``rtverify check`` run (budget: ≤ 10 s), per target, for a correct and a
buggy implementation (a buggy one also pays for Hypothesis shrinking).

Each run is the console command in a fresh process (imports included), repeated ``--repeat``
times; reported are the median and the maximum, and the exit code. ``--api`` also times the
Python API in a warm process (imports and the exact moments already cached).

Usage: ``python benchmarks/check_speed.py [--repeat 3] [--api]``
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "check_corpus"
BUDGET_SECONDS = 10.0

RUNS = (
    ("gaussian-kl", "kl_naive.py", ()),
    ("gaussian-kl", "kl_missing_half.py", ()),
    ("gaussian-kl", "kl_sum.py", ("--reduction", "sum")),
    ("reparam-sample", "sample_ok.py", ()),
    ("reparam-sample", "sample_exp_logvar.py", ()),
    ("score-gradient", "score_textbook.py", ()),
    ("score-gradient", "score_coupled_baseline.py", ()),
    ("pathwise-gradient", "pathwise_textbook.py", ()),
    ("pathwise-gradient", "pathwise_missing_eps.py", ()),
    ("gaussian-kl", "kl_hangs.py", ()),
    ("gaussian-kl", "kl_torch.py", ()),
    ("score-gradient", "score_torch.py", ()),
    ("pathwise-gradient", "pathwise_torch.py", ()),
)


def _cli(target: str, name: str, extra: tuple[str, ...]) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "rtverify", "check", target, f"{CORPUS / name}:impl", *extra],
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--api", action="store_true", help="also time the warm Python API")
    args = parser.parse_args(argv)
    has_torch = importlib.util.find_spec("torch") is not None
    over = 0
    print(f"{'target':18s} {'implementation':28s} {'median s':>8s} {'max s':>6s}  exit")
    for target, name, extra in RUNS:
        if "torch" in name and not has_torch:
            continue
        times, codes = zip(*(_cli(target, name, extra) for _ in range(args.repeat)), strict=True)
        over += max(times) > BUDGET_SECONDS
        print(
            f"{target:18s} {name:28s} {statistics.median(times):8.2f} {max(times):6.2f}  "
            f"{sorted(set(codes))}"
        )
    if args.api:
        from rtverify.check import check

        print("warm Python API (second run in one process):")
        for target, name, extra in RUNS:
            if ("torch" in name and not has_torch) or "hangs" in name:
                continue
            kwargs = {"reduction": extra[1]} if extra else {}
            check(target, f"{CORPUS / name}:impl", **kwargs)
            started = time.perf_counter()
            check(target, f"{CORPUS / name}:impl", **kwargs)
            print(f"  {target:18s} {name:28s} {time.perf_counter() - started:6.2f} s")
    print(f"runs over the {BUDGET_SECONDS:g} s budget: {over}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
