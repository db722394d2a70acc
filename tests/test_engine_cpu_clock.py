"""The engine's deadlines count the child's processor time, not the wall clock: a busy machine
(which stretches wall time) does not change which steps finish in time, and a step that
computes past its limit is still cut there."""

from __future__ import annotations

import time

import pytest

from rtverify import _bounded

pytestmark = pytest.mark.skipif(
    not (_bounded.AVAILABLE and _bounded.CPU_CLOCK), reason="needs os.fork and /proc"
)


def _wait_then_answer(send):
    time.sleep(1.5)  # wall time passes, processor time does not (as on a busy machine)
    send(("done", 1))


def _compute_forever(send):
    while True:
        pass


def _answer_after_computing(send):
    started = time.process_time()
    while time.process_time() - started < 0.3:
        pass
    send(("done", 2))


def test_the_childs_processor_time_is_read_and_grows_while_it_computes():
    child = _bounded.Child(_compute_forever)
    try:
        first = child.cpu_seconds()
        time.sleep(0.5)
        assert first is not None and child.cpu_seconds() > first + 0.1
    finally:
        child.close()


def test_wall_time_without_computation_does_not_run_out_a_processor_time_limit():
    child = _bounded.Child(_wait_then_answer)
    try:  # 1.5 s of wall time against a 0.5 s limit: the wall clock would have cut it
        assert child.receive_within_cpu(0.5, child.cpu_seconds(), wall_limit=60.0) == ("done", 1)
    finally:
        child.close()


def test_a_child_computing_past_its_processor_time_limit_is_cut_there():
    child = _bounded.Child(_compute_forever)
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            child.receive_within_cpu(0.5, child.cpu_seconds(), wall_limit=60.0)
        assert child.cpu_seconds() >= 0.5
        assert time.monotonic() - started < 30  # the limit, not the wall backstop
    finally:
        child.close()


def test_a_child_answering_within_its_processor_time_is_heard():
    child = _bounded.Child(_answer_after_computing)
    try:
        assert child.receive_within_cpu(5.0, child.cpu_seconds(), wall_limit=60.0) == ("done", 2)
    finally:
        child.close()


def test_the_wall_backstop_cuts_a_child_that_uses_no_processor_time():
    child = _bounded.Child(_wait_then_answer)
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            child.receive_within_cpu(30.0, child.cpu_seconds(), wall_limit=0.3)
        assert time.monotonic() - started < 1.4
    finally:
        child.close()
