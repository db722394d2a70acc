"""``rtverify check TARGET IMPL [--param …] [--reduction …] [--seed N] [--json]``.

Exit codes: 0 every property holds; 1 a property fails (IMPL raises, returns the wrong
shape/type, NaN, mutates its inputs, times out, is biased, …); 2 usage error, or IMPL cannot be
loaded or is not callable (one line on stderr saying what to fix). Never a traceback.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run_cli"]

_TARGETS_HELP = "gaussian-kl | reparam-sample | score-gradient | pathwise-gradient"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``rtverify check`` (options are validated by :func:`run_cli`)."""
    parser.description = (
        "Check an implementation against the verified reference: shapes, dtype, finiteness, "
        "agreement within float64 rounding, no mutation, determinism, and (gradients) "
        "unbiasedness by calibrated tests. Exit 0 conforms, 1 a property fails, 2 usage error "
        "or IMPL cannot be loaded."
    )
    parser.add_argument("target", metavar="TARGET", help=_TARGETS_HELP)
    parser.add_argument(
        "impl", metavar="IMPL", help="package.module:function or path/to/file.py:function"
    )
    parser.add_argument(
        "--param",
        default=None,
        metavar="P",
        help="variance parameter of IMPL: logvar (default) | log_std | std | var",
    )
    parser.add_argument(
        "--reduction",
        default=None,
        metavar="R",
        help="gaussian-kl only: none (default, per example) | sum | mean",
    )
    parser.add_argument(
        "--seed",
        default="0",
        metavar="N",
        help="seed of the inputs and tests (default 0); same seed, same verdict",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable report on stdout")


def _usage(message: str) -> int:
    print(f"rtverify check: {message}", file=sys.stderr)
    return 2


def run_cli(args: argparse.Namespace) -> int:
    """Run the check; print the report; return the exit code (0, 1 or 2)."""
    from rtverify.check.loading import ImplLoadError, split_spec
    from rtverify.check.targets import validate_options

    try:
        seed = int(args.seed)
    except (TypeError, ValueError):
        return _usage(f"--seed must be a non-negative integer, not {args.seed!r}")
    try:
        validate_options(args.target, args.param, args.reduction, seed)
        split_spec(args.impl)
    except ValueError as exc:
        return _usage(str(exc))
    try:
        from rtverify.check.api import check

        report = check(
            args.target,
            args.impl,
            param=args.param or "logvar",
            reduction=args.reduction or "none",
            seed=seed,
        )
    except ImplLoadError as exc:
        return _usage(str(exc))
    except KeyboardInterrupt:
        return _usage("interrupted")
    except Exception as exc:  # rtverify never ends in a traceback
        print(
            f"rtverify check: internal error {type(exc).__name__}: {exc}; please report it",
            file=sys.stderr,
        )
        return 1
    print(report.to_json() if args.json else report.render())
    return 0 if report.ok else 1
