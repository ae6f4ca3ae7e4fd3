"""Threads released at the same moment, for tests of what must happen exactly once."""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")
JOIN_SECONDS = 60


def race(count: int, action: Callable[[], T]) -> list[T]:
    """Run `action` in `count` threads released together, each on its own database connection; their results.

    An error in any thread fails the test with every error raised.
    """
    barrier = threading.Barrier(count)
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(action())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    assert not errors, errors
    return results
