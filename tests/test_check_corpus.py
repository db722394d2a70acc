"""`rtverify check` on a corpus of correct and buggy implementations (tests/check_corpus/).

Each corpus file names its TARGET, EXPECT — None for a correct implementation (it must
conform), else (property words, reason words): the check must fail a property whose name holds
the first and say the second — and optionally PARAM, REDUCTION, K (``--k``: the IMPL's own
number of importance samples), FRAMEWORK (numpy, torch, jax) and DTYPE. Statistical checks of
correct implementations run at false_alarm = ASSERTION_ALPHA and are recorded in the suite's
ledger. Slow statistical files run under ``-m slow``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rtverify import stats
from rtverify.check import check, targets

CORPUS = Path(__file__).resolve().parent / "check_corpus"
#: targets whose verdict is statistical: a correct file spends false-alarm budget
STATISTICAL = {t.name for t in targets.targets().values() if t.statistical}
#: statistical files checked in the default run (the others are marked slow)
DEFAULT_STATISTICAL = {
    "score_textbook.py",
    "score_coupled_baseline.py",
    "score_returns_mean.py",
    "pathwise_missing_eps.py",
}
CALL_TIMEOUT_IN_TESTS = 1.0  # seconds: kl_hangs.py is killed after this


def meta(path: Path) -> dict:
    """The corpus file's upper-case assignments, read without importing it."""
    out = {"PARAM": None, "REDUCTION": None, "FRAMEWORK": "numpy", "DTYPE": None}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name.isupper():
                out[name] = ast.literal_eval(node.value)
    return out


def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.py"))


def _cases():
    for path in corpus_files():
        m = meta(path)
        marks = [getattr(pytest.mark, m["FRAMEWORK"])] if m["FRAMEWORK"] != "numpy" else []
        if m.get("REQUIRES") == "torch":
            marks.append(pytest.mark.torch)
        framework = m["FRAMEWORK"] != "numpy" or m.get("REQUIRES") is not None
        costly = m["TARGET"] in STATISTICAL or framework  # statistics, or a framework import
        if costly and path.name not in DEFAULT_STATISTICAL and not m.get("DEFAULT"):
            marks.append(pytest.mark.slow)  # all run under -m slow; a subset by default
        yield pytest.param(path, id=str(path.relative_to(CORPUS).with_suffix("")), marks=marks)


@pytest.mark.parametrize("path", list(_cases()))
def test_corpus_file_gets_the_verdict_it_deserves(path):
    m = meta(path)
    for module in {m["FRAMEWORK"], m.get("REQUIRES")} - {None, "numpy"}:
        pytest.importorskip(module)
    statistical = m["TARGET"] in STATISTICAL
    report = check(
        m["TARGET"],
        f"{path}:impl",
        framework=m["FRAMEWORK"],
        dtype=m["DTYPE"],
        param=m["PARAM"],
        reduction=m["REDUCTION"],
        k=m.get("K") if "k" in targets.get(m["TARGET"]).options else None,  # --k, if it takes K
        false_alarm=stats.ASSERTION_ALPHA if statistical else 1e-6,
        timeout=CALL_TIMEOUT_IN_TESTS if "hangs" in path.name else 10.0,
    )
    if m["EXPECT"] is None:
        if statistical:
            stats.ledger.record(report.false_alarm)
        if m.get("NOT_JUDGED_OK") and report.verdict == "NOT JUDGED":
            return  # heavy tails: declining is an honest verdict, "biased" would not be
        assert report.ok, report.render()
        return
    prop, words = m["EXPECT"]
    assert not report.ok, report.render()
    matching = [f for f in report.failures if prop in f.name]
    assert matching, f"expected a failure of {prop!r}, got:\n{report.render()}"
    assert words.lower() in matching[0].detail.lower(), (
        f"expected {words!r} in {matching[0].detail!r}\n{report.render()}"
    )


def test_corpus_holds_correct_and_buggy_files_for_every_target():
    verdicts: dict[str, set[bool]] = {}
    for path in corpus_files():
        m = meta(path)
        verdicts.setdefault(m["TARGET"], set()).add(m["EXPECT"] is None)
    for name in targets.names():
        assert verdicts.get(name) == {True, False}, name
