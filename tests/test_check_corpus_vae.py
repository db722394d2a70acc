"""`rtverify check` on the VAE corpus (tests/check_corpus/vae/ and the elbo/iwae files of its
estimators/): the targets elbo, iwae, elbo-gradient, iwae-gradient, gaussian-kl-pair,
mvn-rsample, mvn-log-prob, mvn-kl and bernoulli-log-likelihood, each with correct and buggy
implementations written the way public code writes them (torch.distributions, hand-written VAE
losses, BCE-with-logits).

Each file names TARGET, PARAM, REDUCTION, EXPECT (None: conforms; else (property, words): the
check must fail that property and say those words) and optionally FRAMEWORK, DTYPE and REQUIRES
("torch", "jax": skipped when absent). These targets are deterministic (rounding bounds, no
statistical test): a correct implementation conforms with certainty; the gradient targets make
calibrated tests, run at the suite's α (``rtverify.stats.ASSERTION_ALPHA``) and recorded.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from rtverify import stats
from rtverify.check import api, check

CORPUS = Path(__file__).resolve().parent / "check_corpus" / "vae"
#: Targets making calibrated tests: run at the suite's α and recorded in its ledger.
STATISTICAL = ("elbo-gradient", "iwae-gradient")
TARGETS = (
    "elbo",
    "iwae",
    "gaussian-kl-pair",
    "mvn-rsample",
    "mvn-log-prob",
    "mvn-kl",
    "bernoulli-log-likelihood",
)


def _requires(path: Path) -> str | None:
    text = path.read_text(encoding="utf-8")
    for lib in ("torch", "jax"):
        if f'REQUIRES = "{lib}"' in text or f"import {lib}" in text or f"from {lib}" in text:
            return lib
    return None


def _meta(path: Path):
    spec = importlib.util.spec_from_file_location(f"_vae_corpus_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _paths() -> list[Path]:
    """The closed-form corpus and the estimator files with a CHECK_EXPECT (a wired target)."""
    wired = [
        p
        for p in sorted((CORPUS / "estimators").glob("*.py"))
        if "CHECK_EXPECT" in p.read_text(encoding="utf-8")
    ]
    return sorted(CORPUS.glob("*.py")) + wired


def _cases():
    for path in _paths():
        marks = [pytest.mark.torch] if _requires(path) == "torch" else []
        yield pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", list(_cases()))
def test_vae_corpus_file_gets_the_verdict_it_deserves(path):
    lib = _requires(path)
    if lib is not None:
        pytest.importorskip(lib)
    meta = _meta(path)
    statistical = meta.TARGET in STATISTICAL
    report = check(
        meta.TARGET,
        f"{path}:impl",
        framework=getattr(meta, "FRAMEWORK", "numpy"),
        dtype=getattr(meta, "DTYPE", None),
        param=getattr(meta, "PARAM", None),
        reduction=getattr(meta, "REDUCTION", None),
        false_alarm=stats.ASSERTION_ALPHA if statistical else api.FALSE_ALARM,
        k=getattr(meta, "K", None),
    )
    expect = getattr(meta, "CHECK_EXPECT", meta.EXPECT)
    if expect is None:
        if statistical:
            stats.ledger.record(report.false_alarm)
        assert report.ok, report.render()
        return
    prop, words = expect
    assert not report.ok, report.render()
    matching = [f for f in report.failures if prop in f.name]
    assert matching, f"expected a failure of {prop!r}, got:\n{report.render()}"
    assert words in matching[0].detail, f"expected {words!r} in {matching[0].detail!r}"


def test_vae_corpus_holds_correct_and_buggy_numpy_files_for_every_target():
    metas = [_meta(p) for p in _paths() if _requires(p) is None]
    for target in TARGETS:
        verdicts = {
            getattr(m, "CHECK_EXPECT", m.EXPECT) is None for m in metas if m.TARGET == target
        }
        assert verdicts == {True, False}, target
