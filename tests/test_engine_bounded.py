"""``rtverify._bounded.Child``: the parent's wait has a deadline that holds whatever the child
does — here the child sleeps (as SymPy stuck in its own code would) and the parent must get
``TimeoutError`` at its deadline, not when the child ends (then it would be ``ChildDied``)."""

from __future__ import annotations

import time

import pytest

from rtverify import _bounded

pytestmark = pytest.mark.skipif(not _bounded.AVAILABLE, reason="needs os.fork")


def _sleep(send):
    time.sleep(3.0)


def _answer(send):
    send(("done", 42))


def test_a_busy_child_is_abandoned_at_the_deadline_and_killed():
    child = _bounded.Child(_sleep)
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            child.receive(0.2)
        assert time.monotonic() - started < 2.5  # the deadline, not the child's 3 s
    finally:
        child.close()


def test_a_child_that_answers_in_time_is_heard():
    child = _bounded.Child(_answer)
    try:
        assert child.receive(30.0) == ("done", 42)
        with pytest.raises(_bounded.ChildDied):
            child.receive(30.0)  # it exited after its one message
    finally:
        child.close()
