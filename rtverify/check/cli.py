"""CLI of ``rtverify check`` (placeholder until the check issue lands)."""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target")
    parser.add_argument("impl")


def run_cli(args: argparse.Namespace) -> int:
    print("rtverify check: not implemented yet")
    return 2
