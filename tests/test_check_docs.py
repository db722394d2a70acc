"""docs/checking.md is what `rtverify derive` writes from real runs of `rtverify check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from rtverify.check.docs import STAMP_PREFIX, checking_stamp

PAGE = Path(__file__).resolve().parents[1] / "docs" / "checking.md"
FIX = "regenerate with: rtverify derive"


def test_the_committed_page_was_generated_from_today_s_check_code_and_examples():
    pytest.importorskip("torch")
    pytest.importorskip("jax")
    text = PAGE.read_text(encoding="utf-8")
    assert f"{STAMP_PREFIX}{checking_stamp()} -->" in text, f"{PAGE} is stale; {FIX}"


@pytest.mark.slow
def test_the_committed_page_is_exactly_what_the_examples_give_today():
    pytest.importorskip("torch")
    pytest.importorskip("jax")
    from rtverify.check.docs import render_checking_page

    assert render_checking_page() == PAGE.read_text(encoding="utf-8"), f"{PAGE} is stale; {FIX}"


#: the targets of the framework-native issue: a worked torch and a worked JAX run each
FRAMEWORK_TARGETS = (
    "gaussian-kl",
    "reparam-sample",
    "rsample",
    "score-gradient",
    "pathwise-gradient",
    "gradient-estimator",
)
#: the targets of the VAE reference: a worked run each
VAE_TARGETS = (
    "gaussian-kl-pair",
    "mvn-rsample",
    "mvn-log-prob",
    "mvn-kl",
    "bernoulli-log-likelihood",
    "elbo",
    "iwae",
    "elbo-gradient",
    "iwae-gradient",
)


def _worked_runs() -> set[tuple[str, str]]:
    """(target, framework) of every `$ rtverify check …` shown on the page."""
    runs = set()
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("$ rtverify check "):
            words = line.split()
            framework = words[words.index("--framework") + 1] if "--framework" in words else "numpy"
            runs.add((words[3], framework))
    return runs


def test_the_page_shows_a_worked_torch_and_jax_run_of_every_framework_target():
    runs = _worked_runs()
    missing = [(t, f) for t in FRAMEWORK_TARGETS for f in ("torch", "jax") if (t, f) not in runs]
    assert not missing, f"no worked run on {PAGE.name} for {missing}"


def test_the_page_shows_a_worked_run_of_every_vae_target():
    shown = {t for t, _ in _worked_runs()}
    missing = [t for t in VAE_TARGETS if t not in shown]
    assert not missing, f"no worked run on {PAGE.name} for {missing}"
