"""The table and the command line of ``rtverify audit torch|jax [--dtype …] [--json]``.

One row per family × dtype × decade of the first parameter: points, worst relative gradient
error (interior samples), non-finite count (or the rule-of-three bound 3/n when there are
none), verdict; each failing case gets a one-line reproduction. Exit 0 when every case
conforms, 1 otherwise, 2 when the library is not installed. JAX compiles one program per
dtype (most of a JAX audit's time); set ``JAX_COMPILATION_CACHE_DIR`` to reuse them.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict

from rtverify.audit import (
    FAMILIES,
    N_GRAD,
    N_LAW,
    REFERENCE_RTOL,
    TOL_ULPS,
    Case,
    CaseResult,
    audit,
)

__all__ = ["add_arguments", "reproduction", "run_cli", "table"]


def reproduction(case: Case) -> str:
    """A one-line command that redraws the case and prints the failing count."""
    p = ", ".join(repr(v) for v in case.params)
    return (
        f'python -c "from rtverify.audit import Case, run_case; '
        f"print(run_case(Case({case.library!r}, {case.family!r}, ({p},), {case.dtype!r}, "
        f'{case.seed})))"'
    )


def _decade(case: Case) -> int:
    first = case.params[0]
    first = first[0] if isinstance(first, tuple) else first
    return math.floor(math.log10(first)) if case.family != "gumbel-softmax" else 0


def table(results: list[CaseResult]) -> list[dict]:
    """One row per family × dtype × decade of the first parameter."""
    rows: dict[tuple, dict] = {}
    for r in results:
        key = (r.case.family, r.case.dtype, _decade(r.case))
        row = rows.setdefault(
            key,
            {
                "family": key[0],
                "dtype": key[1],
                "decade": f"1e{key[2]}",
                "params": [],
                "max_rel_error": 0.0,
                "nonfinite": 0,
                "n": 0,
                "verdict": "ok",
                "failures": [],
            },
        )
        row["params"].append(r.case.params)
        row["max_rel_error"] = max(row["max_rel_error"], r.max_rel_error)
        row["nonfinite"] += r.nonfinite
        row["n"] += r.n
        if r.verdict != "ok":
            row["failures"].append(
                {
                    "params": r.case.params,
                    "verdict": r.verdict,
                    "excess": r.worst_excess,
                    "nonfinite": r.nonfinite,
                    "reproduce": reproduction(r.case),
                }
            )
            severity = ["ok", "inaccurate", "LAW", "no gradient", "off-simplex", "NON-FINITE"]
            if severity.index(r.verdict) > severity.index(row["verdict"]):
                row["verdict"] = r.verdict
    return list(rows.values())


def _print(rows: list[dict], library: str, seconds: float) -> None:
    print(
        f"rtverify audit {library}: {N_LAW} samples per point (law, non-finite), {N_GRAD} "
        f"gradients per point; tol = max({TOL_ULPS}·u·(1+κ), {REFERENCE_RTOL:g})"
    )
    print(
        f"{'family':<15} {'dtype':<8} {'decade':<7} {'points':>6} {'max rel err':>11} "
        f"{'non-finite':>14}  verdict"
    )
    for row in rows:
        nf = f"{row['nonfinite']}/{row['n']}" if row["nonfinite"] else f"<{3 / row['n']:.0e}"
        print(
            f"{row['family']:<15} {row['dtype']:<8} {row['decade']:<7} {len(row['params']):>6} "
            f"{row['max_rel_error']:>11.2e} {nf:>14}  {row['verdict']}"
        )
    for row in rows:
        for f in row["failures"]:
            print(
                f"  {row['family']} {row['dtype']} {f['params']}: {f['verdict']} "
                f"(error/tol {f['excess']:.3g}, non-finite {f['nonfinite']}): {f['reproduce']}"
            )
    print(f"{seconds:.1f} s")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("library", choices=sorted(FAMILIES), help="the library to audit")
    parser.add_argument("--dtype", choices=["float32", "float64", "both"], default="both")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--seed", type=int, default=0)


def run_cli(args: argparse.Namespace) -> int:
    try:
        __import__(args.library)
    except ImportError:
        print(f"rtverify audit: {args.library} is not installed", file=sys.stderr)
        return 2
    dtypes = ("float32", "float64") if args.dtype == "both" else (args.dtype,)
    started = time.perf_counter()
    results = audit(args.library, dtypes, args.seed)
    seconds = time.perf_counter() - started
    rows = table(results)
    ok = all(r.verdict == "ok" for r in results)
    if args.json:
        cases = [dict(asdict(r), case=asdict(r.case)) for r in results]
        print(
            json.dumps(
                {"ok": ok, "seconds": round(seconds, 2), "rows": rows, "cases": cases},
                indent=2,
                default=str,
            )
        )
    else:
        _print(rows, args.library, seconds)
    return 0 if ok else 1
