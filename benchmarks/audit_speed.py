"""Wall time of ``rtverify audit torch|jax`` (budget: ≤ 60 s per library, both dtypes).

Each library's audit runs as the console command in a fresh process (imports included); then, in
this process, the same audit is split into its parts: the first case of each family and dtype
(for JAX this includes XLA's compilation of the vmapped sampler and its gradient, one program per
family and dtype), the remaining cases (sampling and autograd), and the reference (rtverify's
implicit gradients) measured alone on the draws.

JAX compiles one program per family and dtype (six: 12 s of the 21 s of a run at load 1 on this
2-core machine; several times longer when other processes hold the cores); with JAX's
persistent compilation cache (``JAX_COMPILATION_CACHE_DIR=DIR
JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0``) a second run reuses them.

Usage: ``python benchmarks/audit_speed.py [--library torch jax]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np

BUDGET_SECONDS = 60.0


def _console(library: str) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "rtverify", "audit", library], capture_output=True, text=True
    )
    return time.perf_counter() - started, proc.returncode


def _parts(library: str) -> dict[str, float]:
    from rtverify import audit
    from rtverify.audit_samplers import SAMPLERS

    first = rest = ref = 0.0
    for dtype in ("float32", "float64"):
        for family in audit.FAMILIES[library]:
            for i, params in enumerate(audit.GRIDS[family]):
                case = audit.Case(library, family, params, dtype)
                t0 = time.perf_counter()
                draw = SAMPLERS[(library, family)](*params, audit.N_LAW, dtype, 0)
                t1 = time.perf_counter()
                if family != "gumbel-softmax":
                    audit.reference(case, draw, np.arange(audit.N_GRAD))
                t2 = time.perf_counter()
                if i == 0:
                    first += t1 - t0
                else:
                    rest += t1 - t0
                ref += t2 - t1
    return {"first case per family and dtype": first, "other cases": rest, "reference": ref}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", nargs="+", default=["torch", "jax"])
    args = parser.parse_args()
    for library in args.library:
        seconds, code = _console(library)
        verdict = "within" if seconds <= BUDGET_SECONDS else "OVER"
        print(f"rtverify audit {library}: {seconds:.1f} s (exit {code}), {verdict} the budget")
        for part, value in _parts(library).items():
            print(f"  {part}: {value:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
