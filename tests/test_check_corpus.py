"""`rtverify check` on a corpus of correct and buggy implementations (tests/check_corpus/).

Each corpus file names its TARGET, PARAM, REDUCTION and EXPECT: None for a correct
implementation (it must conform), else (property, words): the check must fail that property
and say those words. The deterministic targets run in full; of the gradient targets a
representative subset runs by default, the rest under ``-m slow``; torch files need torch.
Gradient checks of correct estimators are statistical assertions: they run at
false_alarm = ASSERTION_ALPHA and are recorded in the suite's ledger.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from rtverify import stats
from rtverify.check import api, check

CORPUS = Path(__file__).resolve().parent / "check_corpus"
GRADIENT = ("score-gradient", "pathwise-gradient")
#: Gradient files checked in the default run (the others are marked slow).
DEFAULT_GRADIENT = {
    "score_textbook.py",
    "score_coupled_baseline.py",
    "score_returns_mean.py",
    "pathwise_missing_eps.py",
}
CALL_TIMEOUT_IN_TESTS = 1.0  # seconds: kl_hangs.py is killed after this


def _meta(path: Path):
    spec = importlib.util.spec_from_file_location(f"_corpus_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # corpus files import only numpy/torch at the top
    return module


def _cases():
    for path in sorted(CORPUS.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        marks = []
        if 'REQUIRES = "torch"' in text:
            marks.append(pytest.mark.torch)
        if any(t in text for t in GRADIENT) and path.name not in DEFAULT_GRADIENT:
            marks.append(pytest.mark.slow)
        yield pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", list(_cases()))
def test_corpus_file_gets_the_verdict_it_deserves(path, monkeypatch):
    if 'REQUIRES = "torch"' in path.read_text(encoding="utf-8"):
        pytest.importorskip("torch")
    meta = _meta(path)
    monkeypatch.setattr(api, "CALL_TIMEOUT_SECONDS", CALL_TIMEOUT_IN_TESTS)
    statistical = meta.TARGET in GRADIENT
    report = check(
        meta.TARGET,
        f"{path}:impl",
        param=meta.PARAM,
        reduction=meta.REDUCTION,
        false_alarm=stats.ASSERTION_ALPHA if statistical else api.FALSE_ALARM,
    )
    if meta.EXPECT is None:
        if statistical:
            stats.ledger.record(report.false_alarm)
        assert report.ok, report.render()
        return
    prop, words = meta.EXPECT
    assert not report.ok
    first = report.failures[0]
    matching = [f for f in report.failures if prop in f.name]
    assert matching, f"expected a failure of {prop!r}, got:\n{report.render()}"
    assert words in matching[0].detail, f"expected {words!r} in {first.detail!r}"


def test_corpus_holds_correct_and_buggy_files_for_every_target():
    metas = [
        _meta(p)
        for p in CORPUS.glob("*.py")
        if 'REQUIRES = "torch"' not in p.read_text(encoding="utf-8")
    ]
    for target in ("gaussian-kl", "reparam-sample", *GRADIENT):
        verdicts = {m.EXPECT is None for m in metas if m.TARGET == target}
        assert verdicts == {True, False}, target
