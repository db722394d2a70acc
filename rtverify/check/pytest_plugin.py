"""pytest integration of ``rtverify check`` (loaded by pytest through the ``pytest11`` entry
point wherever rtverify is installed, so it imports nothing heavy and changes nothing else).

One line in a test suite, with the fixture::

    def test_my_kl_conforms(rtverify_conforms):
        rtverify_conforms("gaussian-kl", my_kl, param="logvar")

or without it: ``rtverify.check.assert_conforms("gaussian-kl", my_kl, param="logvar")``.
A failing check fails the test with the report (each failing property, its minimal
counterexample and what is wrong in words) as the message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

__all__ = ["rtverify_conforms"]


@pytest.fixture
def rtverify_conforms() -> Callable[..., Any]:
    """:func:`rtverify.check.assert_conforms`: ``rtverify_conforms(target, impl, **options)``."""
    from rtverify.check.api import assert_conforms

    return assert_conforms
