"""Daraja tokens in the shared Django cache (Redis in production), refreshed under a lock."""

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache

LOCK_POLL_SECONDS = 0.05


class SharedTokenCache:
    """One token per clinic for every web process and worker; `cache.add` is the lock (SET NX)."""

    def get(self, key: str) -> str | None:
        return cache.get(key)

    def set(self, key: str, token: str, ttl_seconds: int) -> None:
        cache.set(key, token, ttl_seconds)

    def delete(self, key: str) -> None:
        cache.delete(key)

    @contextmanager
    def lock(self, key: str, timeout_seconds: float) -> Iterator[bool]:
        lock_key, owner = f"{key}:lock", uuid.uuid4().hex
        deadline = time.monotonic() + timeout_seconds
        acquired = cache.add(lock_key, owner, timeout=int(timeout_seconds) + 1)
        # Whoever waits usually finds the token the holder just stored, and needs no lock at all.
        while not acquired and time.monotonic() < deadline and cache.get(key) is None:
            time.sleep(LOCK_POLL_SECONDS)
            acquired = cache.add(lock_key, owner, timeout=int(timeout_seconds) + 1)
        try:
            yield acquired
        finally:
            if acquired and cache.get(lock_key) == owner:
                cache.delete(lock_key)
