"""The source notebook's variance study (placeholder until the numeric issue lands)."""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run_cli(args: argparse.Namespace) -> int:
    print("rtverify variance: not implemented yet")
    return 2
