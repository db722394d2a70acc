"""Test configuration: Hypothesis profiles and the statistical false-failure budget.

Profiles (chosen by ``HYPOTHESIS_PROFILE``; ``.ci/run`` sets ``ci``):

- ``ci``: derandomized, no example database, no deadline: a run repeats exactly.
- ``dev`` (default): the same, fewer examples, for a quick edit-test loop.
- ``thorough``: many more examples (still derandomized).

Every Monte Carlo assertion goes through ``rtverify.stats`` (``TestOutcome.check``), which counts
it with its α; every planted-bug assertion (a wrong estimator shown to be rejected) goes through
``tests/_budget.py`` (``expect_rejected``), which counts it with its false-pass probability
1 − power. At the end of the session the count and the union bound on the probability of a
false failure (the sum of both kinds) are printed; under ``ci``/``dev`` the session fails if
the count exceeds ``rtverify.stats.MAX_ASSERTIONS`` or the sum exceeds
``SUITE_FALSE_FAILURE_BUDGET``.
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
def derivation_reports(tmp_path_factory):
    """Every shipped derivation, verified once per run (in two processes). Under pytest-xdist
    the first worker to ask verifies them and leaves the checks in the run's shared temporary
    folder; the others wait for it (a file lock) and read them, rather than verify again."""
    from rtverify.cli import run_derivations

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    try:
        import fcntl
    except ImportError:  # no file locks (Windows): each worker verifies for itself
        worker = None
    if worker is None:
        return run_derivations(jobs=2)
    import pickle

    from rtverify.derivation import DerivationReport
    from rtverify.registry import derivation_modules

    shared = tmp_path_factory.getbasetemp().parent / "derivation-checks.pickle"
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not shared.exists():
            reports = run_derivations(jobs=2)
            checks = {r.derivation.slug: (r.checks, r.seconds) for r in reports}
            shared.write_bytes(pickle.dumps(checks))
            return reports
        checks = pickle.loads(shared.read_bytes())
    derivations = [m.derivation() for m in derivation_modules()]
    return [DerivationReport(d, *checks[d.slug]) for d in derivations]


@pytest.fixture(scope="session")
def report_of(derivation_reports):
    """The shared run's report of one derivation module (``report_of(gumbel_max)``)."""
    by_slug = {r.derivation.slug: r for r in derivation_reports}
    return lambda module: by_slug[module.derivation().slug]


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


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist's controller: add each worker's ledger to the run's (a worker that went
    down without sending one leaves its assertions uncounted: the run fails)."""
    output = getattr(node, "workeroutput", {})
    if "ledger" not in output:
        _LOST_LEDGERS.append(str(getattr(getattr(node, "gateway", None), "id", node)))
        return
    count, alpha_total = output["ledger"]
    stats.ledger.count += count
    stats.ledger.alpha_total += alpha_total


_LOST_LEDGERS: list[str] = []


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: the controller judges the budget
        workeroutput["ledger"] = (stats.ledger.count, stats.ledger.alpha_total)
        return
    if _LOST_LEDGERS:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        lost = ", ".join(_LOST_LEDGERS)
        print(f"\nthe statistical budget cannot be judged: no ledger from {lost}")
    if PROFILE == "thorough":
        return
    if stats.ledger.count > stats.MAX_ASSERTIONS:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(
            f"\nthe statistical budget is broken: {stats.ledger.count} assertions > "
            f"{stats.MAX_ASSERTIONS} allowed"
        )
    if stats.ledger.alpha_total > stats.SUITE_FALSE_FAILURE_BUDGET:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(
            f"\nthe statistical budget is broken: P(any false failure) ≤ "
            f"{stats.ledger.alpha_total:.2e} > {stats.SUITE_FALSE_FAILURE_BUDGET:.0e}"
        )
