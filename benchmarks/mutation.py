"""Mutation testing of rtverify's own suite: is the oracle able to catch realistic bugs?

Each mutant of ``benchmarks/mutants/`` (a dropped ½, ddof, a sign, a transposed factor, a
swapped argument, a skipped property, an exit code, a wrong constant) is applied, ONE AT A
TIME, to a temporary copy of the tree — never to the working tree — and the tests selected for
its module (``mutants.TESTS``; the tests that import the module, most specific first) are run
with ``pytest -x`` against the copy (``PYTHONPATH`` puts the copy's ``rtverify`` first; a
check that the copy is the one imported runs before any mutant). Outcomes:

- ``killed``: a selected test failed (or the run exceeded ``--timeout``: ``killed (timeout)``);
- ``stale-docs``: the selected tests passed, only ``tests/test_docs_current.py`` (a generated
  page went stale) noticed — counted apart, it is not a real test;
- ``survived``: nothing noticed;
- ``not-applicable``: the mutated text no longer occurs exactly once (the code moved on);
- ``equivalent``: judged unable to change any observable behaviour (the reason is recorded
  with the mutant); not run, not counted.

Before the mutants, the selected tests of each module run on the unmutated copy; a module whose
baseline fails is reported and skipped. The report gives killed / survived per module and the
kill rate by real tests, and a lower bound on that of the tests older than issue 14 alone
("older tests ≥": the files of ``NEW_TESTS`` run first, in order (``-n 0``); a mutant an older
file kills first was killed without them). Test selection is per module for speed: a mutant
is not run against the whole suite (and ``mutants.DESELECT`` drops the derivation checks from
the numeric modules' runs), so a kill rate here is a lower bound on the whole suite's.

Usage::

    python benchmarks/mutation.py --list [--module elbo]
    python benchmarks/mutation.py [--module gaussian --module models] [--id elbo-aevb-no-tril]
                                  [--rev main] [--jobs 1] [--json out.json]

``--rev`` takes the tree from a git revision (e.g. to measure the suite of ``main`` before a
change) instead of the working tree. The machine is shared: the default is one worker, and
``HYPOTHESIS_PROFILE`` defaults to ``dev`` (set ``ci`` for the CI profile).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutants import DESELECT, DOCS_TESTS, MUTANTS, NEW_TESTS, TESTS, Mutant

ROOT = Path(__file__).resolve().parents[1]
_IGNORE = shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", ".pytest_cache", ".ruff*")


def _snapshot(rev: str | None, dest: Path) -> None:
    """The tree of ``rev`` (git archive) or the working tree (tracked and untracked, not
    ignored, files) copied to ``dest``; ``rtverify/derivations`` links to ``derivations``,
    as the package layout of ``pyproject.toml`` maps it."""
    dest.mkdir(parents=True)
    if rev is not None:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    else:
        files = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard", "-z"],
            check=True,
            capture_output=True,
        ).stdout.split(b"\0")
        for name in filter(None, (f.decode() for f in files)):
            src = ROOT / name
            if src.is_file():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / name)
    link = dest / "rtverify" / "derivations"
    if not link.exists():
        link.symlink_to(Path("..") / "derivations")


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tree), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("HYPOTHESIS_PROFILE", "dev")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    return env


def _pytest(
    tree: Path, tests: list[str], timeout: float, deselect: list[str] = ()
) -> tuple[str, float, str]:
    """('pass' | 'fail' | 'timeout', seconds, last lines of output). Test files the tree does
    not have (a ``--rev`` from before they were written) are left out."""
    tests = [t for t in tests if (tree / t.split("::")[0]).exists()]
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-n", "0", "-p", "no:cacheprovider", *tests]
    cmd += [f"--deselect={d}" for d in deselect]
    started = time.perf_counter()
    # its own session: on a timeout the whole group goes (pytest's worker processes included)
    proc = subprocess.Popen(
        cmd,
        cwd=tree,
        env=_env(tree),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return "timeout", time.perf_counter() - started, ""
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # stragglers of a finished run
    seconds = time.perf_counter() - started
    tail = "\n".join(out.strip().splitlines()[-6:])
    return ("pass" if proc.returncode == 0 else "fail"), seconds, tail


def _applies(mutant: Mutant, tree: Path) -> bool:
    path = tree / mutant.path
    return path.exists() and path.read_text(encoding="utf-8").count(mutant.old) == 1


def _first_failure(tail: str) -> str:
    for line in tail.splitlines():
        if line.startswith(("FAILED", "ERROR")):
            return line.split(" - ")[0]
    return tail.splitlines()[-1] if tail else ""


def _run_one(args: tuple[Mutant, str, float, bool]) -> dict:
    """Apply one mutant to the worker's tree, run its tests, restore the file."""
    mutant, tree_name, timeout, docs = args
    tree = Path(tree_name)
    row = {"id": mutant.id, "module": mutant.module, "formula": mutant.formula, "why": mutant.why}
    if not _applies(mutant, tree):
        return {**row, "outcome": "not-applicable", "seconds": 0.0, "by": ""}
    if mutant.equivalent:
        return {**row, "outcome": "equivalent", "seconds": 0.0, "by": mutant.equivalent}
    path = tree / mutant.path
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(mutant.old, mutant.new), encoding="utf-8")
    try:
        status, seconds, tail = _pytest(
            tree, TESTS[mutant.module], timeout, DESELECT.get(mutant.module, [])
        )
        if status == "fail":
            return {**row, "outcome": "killed", "seconds": seconds, "by": _first_failure(tail)}
        if status == "timeout":
            return {**row, "outcome": "killed (timeout)", "seconds": seconds, "by": "timeout"}
        if docs:
            status, more, tail = _pytest(tree, DOCS_TESTS, timeout)
            seconds += more
            if status != "pass":
                return {**row, "outcome": "stale-docs", "seconds": seconds, "by": "docs"}
        return {**row, "outcome": "survived", "seconds": seconds, "by": ""}
    finally:
        path.write_text(original, encoding="utf-8")


def _run_chunk(jobs: list[tuple[Mutant, str, float, bool]]) -> list[dict]:
    return [_run_one(job) for job in jobs]


def _print_row(row: dict) -> None:
    print(f"{row['outcome']:<17}{row['id']:<44}{row['seconds']:>6.0f} s  {row['by']}", flush=True)


def _worker_tree(base: Path, index: int) -> Path:
    tree = base.parent / f"tree{index}"
    shutil.copytree(base, tree, symlinks=True, ignore=_IGNORE)
    return tree


_WHICH = "import rtverify, rtverify.derivations as d; print(rtverify.__file__, d.__file__)"


def _check_import(tree: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _WHICH],
        cwd=tempfile.gettempdir(),
        env=_env(tree),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if not all(Path(p).resolve().is_relative_to(tree.resolve()) for p in out):
        raise SystemExit(f"the copy is not the rtverify imported: {out}")


_COUNTED = ("killed", "killed (timeout)", "stale-docs", "survived")


def _by_new(row: dict) -> bool:
    """Killed first by a test file written for issue 14 (``NEW_TESTS``, run first); whether an
    older test would kill it too is not known from this run."""
    by = row["by"].split("::")[0].removeprefix("FAILED ").removeprefix("ERROR ")
    return row["outcome"] == "killed" and by in NEW_TESTS


def _report(rows: list[dict], baseline: dict[str, tuple[str, float]]) -> str:
    lines = [
        f"{'module':<14}{'mutants':>8}{'killed':>8}{'stale-docs':>11}{'survived':>9}"
        f"{'n/a':>5}{'equiv':>6}{'real kill rate':>16}{'formula':>10}{'older tests ≥':>15}"
        "  baseline",
    ]
    for module in TESTS:
        mine = [r for r in rows if r["module"] == module]
        if not mine:
            continue
        c = Counter("killed" if r["outcome"].startswith("killed") else r["outcome"] for r in mine)
        applied = len(mine) - c["not-applicable"] - c["equivalent"]
        rate = f"{100 * c['killed'] / applied:.0f} %" if applied else "-"
        formula = [r for r in mine if r["formula"] and r["outcome"] in _COUNTED]
        f_killed = sum(r["outcome"].startswith("killed") for r in formula)
        status, secs = baseline.get(module, ("-", 0.0))
        older = c["killed"] - sum(_by_new(r) for r in mine)
        older_rate = f"{100 * older / applied:.0f} %" if applied else "-"
        lines.append(
            f"{module:<14}{len(mine):>8}{c['killed']:>8}{c['stale-docs']:>11}{c['survived']:>9}"
            f"{c['not-applicable']:>5}{c['equivalent']:>6}{rate:>16}"
            f"{f'{f_killed}/{len(formula)}':>10}{older_rate:>15}  "
            f"{status} ({secs:.0f} s)"
        )
    applied = [r for r in rows if r["outcome"] in _COUNTED]
    killed = sum(r["outcome"].startswith("killed") for r in applied)
    if applied:
        lines.append(
            f"all: {killed}/{len(applied)} killed by real tests "
            f"({100 * killed / len(applied):.1f} %)"
        )
    for r in rows:
        if r["outcome"] in ("survived", "stale-docs", "not-applicable"):
            lines.append(f"  {r['outcome'].upper():<15} {r['id']}: {r['why']}")
        elif r["outcome"] == "equivalent":
            lines.append(f"  EQUIVALENT      {r['id']}: {r['why']} — {r['by']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--module", action="append", choices=sorted(TESTS), default=[])
    parser.add_argument("--id", action="append", default=[], help="run only these mutant ids")
    parser.add_argument("--rev", default=None, help="git revision to copy (default: work tree)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per pytest run")
    parser.add_argument("--no-docs", action="store_true", help="skip the stale-docs run")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    args = parser.parse_args(argv)

    chosen = [
        m
        for m in MUTANTS
        if (not args.module or m.module in args.module) and (not args.id or m.id in args.id)
    ]
    if args.id and len(chosen) < len(set(args.id)):
        known = {m.id for m in MUTANTS}
        raise SystemExit(f"unknown mutant id(s): {', '.join(sorted(set(args.id) - known))}")
    if not chosen:
        raise SystemExit("no mutant selected")

    with tempfile.TemporaryDirectory(prefix="rtverify-mutation-") as tmp:
        base = Path(tmp) / "base"
        _snapshot(args.rev, base)
        if args.list:
            for m in chosen:
                ok = "" if _applies(m, base) else "  [NOT APPLICABLE]"
                ok += f"  [EQUIVALENT: {m.equivalent}]" if m.equivalent else ""
                print(f"{m.module:<14}{m.id:<44}{m.why}{ok}")
            print(f"{len(chosen)} mutants")
            return 0
        _check_import(base)
        baseline: dict[str, tuple[str, float]] = {}
        for module in dict.fromkeys(m.module for m in chosen):
            status, secs, tail = _pytest(
                base, TESTS[module], args.timeout, DESELECT.get(module, [])
            )
            baseline[module] = (status, secs)
            print(f"baseline {module}: {status} in {secs:.0f} s", flush=True)
            if status != "pass":
                print(tail, flush=True)
        chosen = [m for m in chosen if baseline[m.module][0] == "pass"]
        trees = [_worker_tree(base, i) for i in range(max(1, args.jobs))]
        chunks = [
            [(m, str(tree), args.timeout, not args.no_docs) for m in chosen[i :: len(trees)]]
            for i, tree in enumerate(trees)
        ]
        rows: list[dict] = []
        if len(trees) == 1:  # stream the rows as they come
            for row in map(_run_one, chunks[0]):
                rows.append(row)
                _print_row(row)
        else:  # one tree per worker: a worker runs its chunk one mutant at a time
            with ProcessPoolExecutor(max_workers=len(trees)) as pool:
                for chunk_rows in pool.map(_run_chunk, chunks):
                    for row in chunk_rows:
                        rows.append(row)
                        _print_row(row)
    print()
    print(_report(rows, baseline))
    if args.json:
        args.json.write_text(json.dumps({"baseline": baseline, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
