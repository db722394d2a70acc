"""A check's statistical tests share its false-alarm probability (Bonferroni).

The report states the family-wise false-alarm probability (1e-6 by default) and how many
statistical tests the check made, m; its notes state each test's level ("α = …", or "α = … each"
for a family of tests). By the union bound m · max α must not exceed that probability: a target
that runs each of its m tests at the whole budget (α for α/m) would make a correct IMPL fail m
times as often as the report says. The noted levels are printed to 2 digits, hence the 5 % slack
(a 6-way split of 1e-6 prints 1.7e-07). The levels do not depend on the draws; the correct IMPL's
verdict does, so each check runs at the suite's per-assertion α and is counted in its budget.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rtverify import stats
from rtverify.check import check

CORPUS = Path(__file__).resolve().parent / "check_corpus"

CASES = [
    ("rsample", CORPUS / "rsample" / "numpy_generator.py", "numpy"),
    ("gradient-estimator", CORPUS / "torch" / "ge_pathwise_rsample.py", "torch"),
]


@pytest.mark.parametrize(("target", "path", "framework"), CASES, ids=[c[0] for c in CASES])
def test_the_levels_of_a_checks_tests_add_up_to_its_false_alarm_probability(
    target, path, framework
):
    if framework != "numpy":
        pytest.importorskip(framework)
    report = check(target, f"{path}:impl", framework=framework, false_alarm=stats.ASSERTION_ALPHA)
    stats.ledger.record(report.false_alarm)
    assert report.ok, report.render()
    levels = [float(a) for note in report.notes for a in re.findall(r"α = ([0-9.e+-]+)", note)]
    assert report.n_statistical_tests >= 2 and levels
    assert report.false_alarm == stats.ASSERTION_ALPHA
    assert report.n_statistical_tests * max(levels) <= 1.05 * report.false_alarm, report.render()
