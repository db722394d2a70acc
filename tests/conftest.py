"""Test configuration: Hypothesis profiles and the statistical false-failure budget.

Profiles (chosen by ``HYPOTHESIS_PROFILE``; ``.ci/run`` sets ``ci``):

- ``ci``: derandomized, no example database, no deadline: a run repeats exactly.
- ``dev`` (default): the same, fewer examples, for a quick edit-test loop.
- ``thorough``: many more examples (still derandomized).

Every Monte Carlo assertion goes through ``rtverify.stats`` (``TestOutcome.check``), which counts
it. At the end of the session the count and the union bound on the probability of a false
failure are printed; under ``ci``/``dev`` the session fails if the count exceeds
``rtverify.stats.MAX_ASSERTIONS`` (the budget ``SUITE_FALSE_FAILURE_BUDGET`` would be broken).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from rtverify import stats

_COMMON = dict(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
    print_blob=True,
)
settings.register_profile("ci", max_examples=25, **_COMMON)
settings.register_profile("dev", max_examples=10, **_COMMON)
settings.register_profile("thorough", max_examples=300, **_COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
settings.load_profile(PROFILE)


@pytest.fixture(scope="session")
def derivation_reports():
    """Every shipped derivation, verified once per session (two processes)."""
    from rtverify.cli import run_derivations

    return run_derivations(jobs=2)


def pytest_report_header(config):
    import rtverify

    here = Path(rtverify.__file__).resolve().parent
    copy = "the working tree" if here.parent == Path(config.rootpath).resolve() else "installed"
    return (
        f"rtverify {rtverify.__version__} under test: {here} ({copy})\n"
        f"hypothesis profile: {PROFILE}; statistical budget: ≤ {stats.MAX_ASSERTIONS} "
        f"assertions at alpha = {stats.ASSERTION_ALPHA:.0e} "
        f"(P(false failure) ≤ {stats.SUITE_FALSE_FAILURE_BUDGET:.0e})"
    )


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    n, total = stats.ledger.count, stats.ledger.alpha_total
    terminalreporter.write_line(
        f"statistical assertions: {n}; P(any false failure) ≤ {total:.2e} "
        f"(budget {stats.SUITE_FALSE_FAILURE_BUDGET:.0e}, profile {PROFILE})"
    )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if PROFILE != "thorough" and stats.ledger.count > stats.MAX_ASSERTIONS:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(
            f"\nthe statistical budget is broken: {stats.ledger.count} assertions > "
            f"{stats.MAX_ASSERTIONS} allowed"
        )
