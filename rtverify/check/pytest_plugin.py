"""pytest integration of ``rtverify check`` (loaded through the ``pytest11`` entry point wherever
rtverify is installed, so it imports nothing heavy and changes nothing else).

One line in a test suite, with the fixture::

    def test_my_kl_conforms(rtverify_conforms):
        rtverify_conforms("gaussian-kl", my_kl, param="logvar", framework="torch")

or without it: ``rtverify.check.assert_conforms("gaussian-kl", my_kl, param="logvar")``.
A failing check fails the test with a one-line summary and the report (each failing property,
its counterexample and what is wrong in words) — no traceback into rtverify.

``pytest --rtverify-seed N`` sets the seed of every check made through the fixture (a seed given
in the call wins); so does the marker ``@pytest.mark.rtverify_seed(N)`` on a test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

__all__ = ["rtverify_conforms"]


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("rtverify")
    group.addoption(
        "--rtverify-seed",
        type=int,
        default=None,
        metavar="N",
        help="seed of every rtverify check made through the rtverify_conforms fixture",
    )


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", "rtverify_seed(n): seed of the rtverify checks made in this test"
    )


@pytest.fixture
def rtverify_conforms(request: Any) -> Callable[..., Any]:
    """``rtverify_conforms(target, impl, **options)``: fail the test unless IMPL conforms."""
    from rtverify.check.api import check

    marker = request.node.get_closest_marker("rtverify_seed")
    seed = marker.args[0] if marker else request.config.getoption("--rtverify-seed")

    def conforms(target: str, impl: Any, **options: Any) -> Any:
        __tracebackhide__ = True
        if seed is not None:
            options.setdefault("seed", seed)
        report = check(target, impl, **options)
        if not report.ok:
            pytest.fail(report.summary() + "\n\n" + report.render(), pytrace=False)
        return report

    return conforms
