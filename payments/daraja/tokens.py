"""Where access tokens live between calls. One token per clinic, shared by every process.

Daraja may invalidate a clinic's previous token when a new one is issued, so
tokens must not be fetched per process: the cache is shared and refreshed
under a lock.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class TokenCache(Protocol):
    def get(self, key: str) -> str | None: ...

    def set(self, key: str, token: str, ttl_seconds: int) -> None: ...

    def delete(self, key: str) -> None: ...

    def lock(self, key: str, timeout_seconds: float) -> AbstractContextManager[bool]:
        """Hold the refresh lock of `key`; yields False when it could not be had in time."""
        ...


class MemoryTokenCache:
    """A process-local cache, for scripts and tests of the client itself."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, float]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: str) -> str | None:
        token, expires = self._tokens.get(key, ("", 0.0))
        return token if token and expires > time.monotonic() else None

    def set(self, key: str, token: str, ttl_seconds: int) -> None:
        self._tokens[key] = (token, time.monotonic() + ttl_seconds)

    def delete(self, key: str) -> None:
        self._tokens.pop(key, None)

    @contextmanager
    def lock(self, key: str, timeout_seconds: float) -> Iterator[bool]:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        acquired = lock.acquire(timeout=timeout_seconds)
        try:
            yield acquired
        finally:
            if acquired:
                lock.release()
