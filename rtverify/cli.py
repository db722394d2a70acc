"""The ``rtverify`` command: ``verify``, ``derive``, ``variance``, ``check`` and ``audit``.

Exit status: 0 success; 1 a derivation (or a checked implementation) fails; 2 a usage error —
an unknown option or value, an unknown derivation, an output path that cannot be written —
reported as one message under the subcommand's usage line, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

__all__ = ["UsageError", "main", "run_derivations"]

#: Formats ``rtverify variance --plot`` can write (by the file's suffix).
PLOT_SUFFIXES = (".svg", ".png", ".pdf")


class UsageError(ValueError):
    """Bad command-line input: ``main`` reports it under the subcommand's usage, exit status 2."""


def _verify_group(module_names: Sequence[str]):
    """Worker: build and verify the derivations of these modules (one bounded child process
    checks them all, so SymPy's caches serve the whole group); return picklable checks."""
    import importlib

    from rtverify.derivation import verify_all

    derivations = [importlib.import_module(name).derivation() for name in module_names]
    return [(r.checks, r.seconds) for r in verify_all(derivations)]


def _cost(module_name: str, n_steps: int) -> float:
    """Relative checking time of a derivation module: its ``COST`` (seconds measured on one
    core) if it states one, else 0.2 s per step."""
    import importlib

    return float(getattr(importlib.import_module(module_name), "COST", 0.2 * n_steps))


def _balanced(built: list, n: int) -> list[list]:
    """Deal the (module, derivation) pairs to ``n`` groups of about equal cost, each group in
    ``ORDER`` (longest first onto the least loaded group)."""
    groups: list[list] = [[] for _ in range(n)]
    loads = [0.0] * n
    costs = {name: _cost(name, sum(len(c.steps) for c in d.chains)) for name, d in built}
    for name, d in sorted(built, key=lambda item: -costs[item[0]]):
        k = loads.index(min(loads))
        groups[k].append((name, d))
        loads[k] += costs[name]
    order = {name: i for i, (name, _) in enumerate(built)}
    return [sorted(g, key=lambda item: order[item[0]]) for g in groups if g]


def run_derivations(jobs: int = 1, only: Sequence[str] = ()):
    """Verify the shipped derivations (optionally only some slugs), ``jobs`` processes at once
    (the derivations dealt to the processes by cost, see :func:`_balanced`).

    Raises :class:`UsageError` naming the known slugs when ``only`` names an unknown one.
    """
    from rtverify.derivation import DerivationReport, verify_all
    from rtverify.registry import derivation_modules

    built = [(m.__name__, m.derivation()) for m in derivation_modules()]
    if only:
        unknown = set(only) - {d.slug for _, d in built}
        if unknown:
            raise UsageError(
                f"unknown derivation(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(d.slug for _, d in built)}"
            )
        built = [(name, d) for name, d in built if d.slug in only]
    if jobs <= 1 or len(built) <= 1:
        return verify_all([d for _, d in built])
    import multiprocessing

    groups = _balanced(built, min(jobs, len(built)))
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with ProcessPoolExecutor(max_workers=len(groups), mp_context=context) as pool:
        results = list(pool.map(_verify_group, [[name for name, _ in g] for g in groups]))
    reports = {
        d.slug: DerivationReport(d, checks, secs)
        for group, result in zip(groups, results, strict=True)
        for (_, d), (checks, secs) in zip(group, result, strict=True)
    }
    return [reports[d.slug] for _, d in built]


def _cmd_verify(args: argparse.Namespace) -> int:
    from rtverify.derivation import Status

    started = time.perf_counter()
    reports = run_derivations(args.jobs, args.only)
    total = time.perf_counter() - started
    ok = all(r.ok for r in reports)
    if args.json:
        print(
            json.dumps(
                {
                    "ok": ok,
                    "seconds": round(total, 3),
                    "steps": {s.value: sum(r.count(s) for r in reports) for s in Status},
                    "derivations": [
                        {
                            "slug": r.derivation.slug,
                            "title": r.derivation.title,
                            "scope": r.derivation.scope,
                            "steps": r.n_steps,
                            **{s.value: r.count(s) for s in Status},
                            "seconds": round(r.seconds, 3),
                            "ok": r.ok,
                            "failures": r.failures,
                        }
                        for r in reports
                    ],
                },
                indent=2,
            )
        )
        return 0 if ok else 1
    width = max([len(r.derivation.title) for r in reports] + [8])
    counts = (Status.PROVED, Status.HYPOTHESES, Status.NUMERIC)
    print(
        f"{'identity':<{width}}  {'steps':>5}  {'proved':>6}  {'hypotheses':>10}  {'numeric':>7}  "
        f"{'other':>5}  {'seconds':>7}  {'status':<6}  scope"
    )
    for r in reports:
        status = "holds" if r.ok else "FAILS"
        proved, hypotheses, numeric = (r.count(s) for s in counts)
        print(
            f"{r.derivation.title:<{width}}  {r.n_steps:>5}  {proved:>6}  {hypotheses:>10}  "
            f"{numeric:>7}  {r.n_steps - proved - hypotheses - numeric:>5}  {r.seconds:>7.2f}  "
            f"{status:<6}  {r.derivation.scope}"
        )
    for r in reports:
        for failure in r.failures:
            print(f"FAILED {failure}", file=sys.stderr)
    verdict = "all identities hold" if ok else "SOME IDENTITIES FAIL"
    totals = {s: sum(r.count(s) for r in reports) for s in Status}
    print(
        f"{len(reports)} derivations, {sum(r.n_steps for r in reports)} steps "
        f"({totals[Status.PROVED]} proved, {totals[Status.HYPOTHESES]} under stated hypotheses, "
        f"{totals[Status.NUMERIC]} numeric, {totals[Status.FAILED]} failed, "
        f"{totals[Status.UNDECIDED]} undecided), {total:.1f} s: {verdict}"
    )
    return 0 if ok else 1


def _cmd_derive(args: argparse.Namespace) -> int:
    from rtverify.docs import generate_pages, write_pages

    reports = run_derivations(args.jobs)
    written = write_pages(generate_pages(reports, with_check_pages=True), Path(args.out))
    for path in written:
        print(path)
    if not all(r.ok for r in reports):
        print("rtverify: some derivations fail; their pages say which step", file=sys.stderr)
        return 1
    return 0


def _positive_int(text: str) -> int:
    """argparse type: an integer ≥ 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, not {value}")
    return value


def _check_output_path(path: str, what: str) -> None:
    """Raise :class:`UsageError` unless ``path`` can be created: no existing ancestor of it is
    a file, and the nearest existing ancestor is writable."""
    target = Path(path).absolute()
    for parent in [target, *target.parents]:
        if parent.exists():
            if parent != target and not parent.is_dir():
                raise UsageError(f"{what} {path!r}: {parent} is a file, not a directory")
            if not os.access(parent if parent.is_dir() else parent.parent, os.W_OK):
                raise UsageError(f"{what} {path!r}: {parent} is not writable")
            return


def _validate(args: argparse.Namespace) -> None:
    """Checks argparse cannot express; :class:`UsageError` on bad input."""
    if args.command == "derive":
        _check_output_path(args.out, "--out")
    if args.command == "variance" and getattr(args, "plot", None):
        if Path(args.plot).suffix.lower() not in PLOT_SUFFIXES:
            raise UsageError(
                f"--plot {args.plot!r}: the file name must end in {', '.join(PLOT_SUFFIXES)}"
            )
        _check_output_path(args.plot, "--plot")


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    from rtverify import __version__

    parser = argparse.ArgumentParser(
        prog="rtverify",
        description="A verified reference for the reparameterization trick and its neighbours.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    jobs_default = min(2, os.cpu_count() or 1)

    verify = sub.add_parser("verify", help="prove every derivation step by step")
    verify.add_argument("--json", action="store_true", help="machine-readable output")
    verify.add_argument(
        "--only", nargs="+", default=(), metavar="SLUG", help="verify only these derivations"
    )
    verify.add_argument(
        "--jobs",
        type=_positive_int,
        default=jobs_default,
        help=f"processes to use (default {jobs_default})",
    )
    verify.set_defaults(func=_cmd_verify)

    derive = sub.add_parser("derive", help="write the docs generated from the derivations")
    derive.add_argument(
        "--out",
        default="docs/derivations",
        help="directory of the derivation pages (default docs/derivations); "
        "the page of source claims goes to OUT/../source-claims.md",
    )
    derive.add_argument(
        "--jobs",
        type=_positive_int,
        default=jobs_default,
        help=f"processes to use (default {jobs_default})",
    )
    derive.set_defaults(func=_cmd_derive)

    # The subcommands below import heavy modules: only the one that runs is imported.
    variance = sub.add_parser("variance", help="reproduce the source notebook's variance study")
    if command == "variance":
        from rtverify import experiment

        experiment.add_arguments(variance)
        variance.set_defaults(func=experiment.run_cli)

    check = sub.add_parser("check", help="check an implementation against the reference")
    if command == "check":
        from rtverify.check import cli as check_cli

        check_cli.add_arguments(check)
        check.set_defaults(func=check_cli.run_cli)
    audit = sub.add_parser("audit", help="audit torch's or jax's own reparameterized samplers")
    if command == "audit":
        from rtverify import audit_cli

        audit_cli.add_arguments(audit)
        audit.set_defaults(func=audit_cli.run_cli)
    for subparser in (verify, derive, variance, check, audit):
        subparser.set_defaults(usage_error=subparser.error)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rtverify`` console script; returns the exit status (0, 1 or 2).

    A usage error prints the subcommand's usage and one line saying what is wrong, and returns 2
    (argparse's convention, kept for every subcommand).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    if command == "check":
        from rtverify.check import cli as check_cli

        check_cli.start_early(argv)
    parser = _parser(command)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        _validate(args)
        return int(args.func(args) or 0)
    except UsageError as exc:
        try:  # the subcommand's argparse error(): its usage line, the message, exit status 2
            args.usage_error(str(exc))
        except SystemExit as stop:
            return int(stop.code)
        return 2
    except OSError as exc:  # an output path that passed the checks above but cannot be written
        print(f"rtverify {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
