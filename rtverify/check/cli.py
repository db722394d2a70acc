"""``rtverify check TARGET IMPL [options]``.

Exit codes: 0 every property holds; 1 a property fails (IMPL raises, returns the wrong
shape/type, NaN, mutates its inputs, hangs past --timeout, is biased, …); 2 usage error, or
IMPL cannot be loaded or is not callable (one line on stderr saying what to fix); 3 not judged
(the --budget ran out, or the data cannot support a verdict: slow or heavy-tailed is never 1).
Never a traceback; output that the terminal cannot encode is spelled in ASCII.
"""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["add_arguments", "run_cli", "start_early"]


def start_early(argv: list[str]) -> None:
    """Start the worker's framework (``--framework``) before the arguments are even parsed: the
    import of torch or jax then runs beside the checker's own imports instead of after them."""
    framework = "numpy"
    for i, arg in enumerate(argv):
        if arg == "--framework" and i + 1 < len(argv):
            framework = argv[i + 1]
        elif arg.startswith("--framework="):
            framework = arg.split("=", 1)[1]
    if framework in ("numpy", "torch", "jax") and not {"-h", "--help"} & set(argv):
        from rtverify.check import sandbox

        sandbox.prestart(framework)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``rtverify check`` (values are validated by :func:`run_cli`)."""
    from rtverify.check import targets

    parser.description = (
        "Check an implementation against the verified reference: shapes, dtype, finiteness, "
        "agreement within rounding, gradients by autograd, no mutation, determinism, and "
        "(estimators, samplers) calibrated statistical tests. Exit 0 conforms, 1 a property "
        "fails, 2 usage error or IMPL cannot be loaded, 3 not judged."
    )
    parser.add_argument("target", metavar="TARGET", help=" | ".join(targets.names()))
    parser.add_argument(
        "impl", metavar="IMPL", help="package.module:function or path/to/file.py:function"
    )
    parser.add_argument(
        "--framework",
        default="numpy",
        metavar="F",
        help="what IMPL receives: numpy (default) | torch | jax",
    )
    parser.add_argument(
        "--dtype",
        default=None,
        metavar="D",
        help="float64 | float32 (default: float64 for numpy, float32 for torch and jax)",
    )
    parser.add_argument(
        "--param",
        default=None,
        metavar="P",
        help="variance parameter of IMPL: logvar (default) | log_std | std | var",
    )
    parser.add_argument(
        "--reduction", default=None, metavar="R", help="none (default, per example) | sum | mean"
    )
    parser.add_argument(
        "--k",
        default=None,
        metavar="K",
        help="samples per example (IWAE targets; iwae-gradient: the number IMPL draws)",
    )
    parser.add_argument(
        "--seed",
        default="0",
        metavar="N",
        help="seed of the inputs and tests (default 0); same seed, same verdict",
    )
    parser.add_argument(
        "--timeout",
        default="10",
        metavar="S",
        help="seconds one call of IMPL may take (default 10); longer is a hang",
    )
    parser.add_argument(
        "--budget",
        default="120",
        metavar="S",
        help="seconds all calls may take (default 120); then exit 3, not judged",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable report on stdout")


def _usage(message: str) -> int:
    _write(sys.stderr, f"rtverify check: {message}\n")
    return 2


def _write(stream, text: str) -> None:
    """Write ``text``; spelled in ASCII where the stream cannot encode it."""
    from rtverify.check.report import to_ascii

    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = to_ascii(text)
    stream.write(text)
    stream.flush()


def _number(text: str, name: str, kind=float):
    try:
        return kind(text)
    except (TypeError, ValueError):
        raise ValueError(f"--{name} must be a number, not {text!r}") from None


def run_cli(args: argparse.Namespace) -> int:
    """Run the check; print the report; return the exit code (0, 1, 2 or 3)."""
    from rtverify.check.core import OptionError, Options, resolve, run_check
    from rtverify.check.loading import ImplLoadError, split_spec

    try:
        options = Options(
            framework=args.framework,
            dtype=args.dtype,
            param=args.param,
            reduction=args.reduction,
            seed=_number(args.seed, "seed", int),
            timeout=_number(args.timeout, "timeout"),
            budget=_number(args.budget, "budget"),
            k=None if args.k is None else _number(args.k, "k", int),
        )
        resolve(args.target, options)
        split_spec(args.impl)
    except OptionError as exc:
        return _usage(f"--{exc.option}: {exc.message}" if exc.option != "target" else exc.message)
    except ValueError as exc:
        return _usage(str(exc))
    try:
        report = run_check(args.target, args.impl, options)
    except ImplLoadError as exc:
        return _usage(str(exc))
    except KeyboardInterrupt:
        return _usage("interrupted")
    except Exception as exc:  # rtverify never ends in a traceback, and never exits 0 on it
        _write(
            sys.stderr,
            f"rtverify check: internal error {type(exc).__name__}: {exc}; please report it\n",
        )
        return 1
    try:
        _write(sys.stdout, (report.to_json() if args.json else report.render()) + "\n")
    except BrokenPipeError:  # `| head`: the reader is gone; end quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return report.exit_code
