"""Wall and CPU time of ``rtverify audit torch|jax`` (budget: ≤ 60 s wall per library, both
dtypes, cold: no compilation cache).

Each library's audit runs as the console command in a fresh process (imports included); its
wall time, its CPU time and the load average before and after are printed: the machine has 2
cores shared with other sessions, and the kernel shares the CPU between sessions, so the wall
time is about the CPU time divided by this session's share. Then, in this process, the same
audit is split into its parts: the first case of each dtype (for JAX this includes XLA's
compilation of the dtype's one program: the three families' vmapped samplers and gradients
under one ``lax.switch``), the remaining cases (sampling and autograd), and the reference
(rtverify's implicit gradients) measured alone on the draws.

Measured 2026-12-04 (torch 2.13, jax 0.10.2), cold runs of the console command:

- jax: 38.5 s and 29.3 s wall at load average 7.7 and 6.9, 33.1 s and 39.5 s at 3.4 and 4.1
  (52.4 s at 6.2 under this script); 20.7–21.1 s CPU (user + sys) every time.
  Of the CPU: XLA's two compilations ≈ 12 s, running the 212 cases ≈ 4.5 s (the float64 Beta
  grid 2.7 s: JAX's gamma gradient series at parameters 1e5), imports ≈ 2 s, tracing ≈ 1 s,
  the reference and law tests ≈ 1 s. At load average 12–14 the same 21 s of CPU took 81 s wall.
  Before the three families shared one program per dtype: 26 s CPU, 48–107 s wall at load
  average 1–14.
- torch: 9.0 s and 6.7 s wall at load average 7.0 and 6.1; 4.7 and 4.5 s CPU.

With JAX's persistent compilation cache (``JAX_COMPILATION_CACHE_DIR=DIR
JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0``) a second run reuses the two programs.

Usage: ``python benchmarks/audit_speed.py [--library torch jax]``
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

import numpy as np

BUDGET_SECONDS = 60.0


def _console(library: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit code) of the console command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "rtverify", "audit", library], capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode


def _parts(library: str) -> dict[str, float]:
    from rtverify import audit
    from rtverify.audit_samplers import SAMPLERS

    first = rest = ref = 0.0
    for dtype in ("float32", "float64"):
        for k, family in enumerate(audit.FAMILIES[library]):
            for i, params in enumerate(audit.GRIDS[family]):
                case = audit.Case(library, family, params, dtype)
                t0 = time.perf_counter()
                draw = SAMPLERS[(library, family)](*params, audit.N_LAW, dtype, 0)
                t1 = time.perf_counter()
                if family != "gumbel-softmax":
                    audit.reference(case, draw, np.arange(audit.N_GRAD))
                t2 = time.perf_counter()
                if i == k == 0:
                    first += t1 - t0
                else:
                    rest += t1 - t0
                ref += t2 - t1
    return {"first case per dtype": first, "other cases": rest, "reference": ref}


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", nargs="+", default=["torch", "jax"])
    args = parser.parse_args()
    for library in args.library:
        load = _load()
        seconds, cpu, code = _console(library)
        verdict = "within" if seconds <= BUDGET_SECONDS else "OVER"
        print(
            f"rtverify audit {library}: {seconds:.1f} s wall, {cpu:.1f} s CPU (exit {code}), "
            f"{verdict} the budget; {load} before, {_load()} after"
        )
        for part, value in _parts(library).items():
            print(f"  {part}: {value:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
