"""The virtual phone's waits end when called off, so a test's prompt never answers into the next test."""

import threading
import time

from sandbox.daraja import delivery


def test_a_wait_called_off_ends_at_once_and_says_the_answer_is_not_to_be_sent():
    outcome: list[bool] = []
    waiting = threading.Thread(target=lambda: outcome.append(delivery._pause(60)))
    waiting.start()
    deadline = time.monotonic() + 5
    while waiting.is_alive() and time.monotonic() < deadline:
        # Called off again until it ends: the first call may come before the thread began waiting.
        delivery.call_off_waiting_answers()
        waiting.join(0.05)
    assert not waiting.is_alive()
    assert outcome == [False]


def test_a_wait_nobody_calls_off_runs_its_time_and_the_answer_is_sent():
    started = time.monotonic()
    assert delivery._pause(0.2) is True
    assert time.monotonic() - started >= 0.2
