"""The report's verdict and exit code from its properties: the rule stated in
``Report.verdict`` (a failure anywhere → DOES NOT CONFORM, 1; otherwise anything not judged →
NOT JUDGED, 3; CONFORMS, 0, only when every property was judged and holds — an empty or
unfinished report is never a pass). Pure bookkeeping: no IMPL runs."""

from __future__ import annotations

import pytest

from rtverify.check.report import FAIL, NOT_JUDGED, NOT_RUN, PASS, PropertyResult, Report


def _report(*statuses: str) -> Report:
    props = [PropertyResult(f"property {i}", s) for i, s in enumerate(statuses)]
    return Report(target="gaussian-kl", impl="m:impl", seed=0, properties=props)


@pytest.mark.parametrize(
    ("statuses", "verdict", "code"),
    [
        ((PASS, PASS), "CONFORMS", 0),
        ((PASS, FAIL), "DOES NOT CONFORM", 1),
        ((FAIL, NOT_JUDGED), "DOES NOT CONFORM", 1),  # a failure is certain; it wins
        ((NOT_JUDGED, FAIL, PASS), "DOES NOT CONFORM", 1),
        ((PASS, NOT_JUDGED), "NOT JUDGED", 3),
        ((FAIL, NOT_RUN), "DOES NOT CONFORM", 1),
        ((PASS, NOT_RUN), "DOES NOT CONFORM", 1),  # a property not run does not hold
        ((), "DOES NOT CONFORM", 1),  # nothing judged is not a pass
    ],
)
def test_the_verdict_and_exit_code_follow_from_the_properties(statuses, verdict, code):
    report = _report(*statuses)
    assert (report.verdict, report.exit_code) == (verdict, code)
    assert report.ok == (verdict == "CONFORMS")
