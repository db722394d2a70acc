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
