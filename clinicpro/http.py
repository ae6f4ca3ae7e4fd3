"""The one outbound HTTP session factory every client uses.

Every request gets a timeout (a call without one raises), our user agent, and a
log line with method, host, status and duration. URLs, query strings, headers
and bodies are never logged, since they may hold tokens.
"""

import logging
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import connections

logger = logging.getLogger("clinicpro.http")


class NetworkCallInTransaction(RuntimeError):
    """An outbound call was about to be made while a database transaction (and maybe row locks) was open."""


def in_transaction() -> bool:
    """Whether any database connection of this thread is inside an atomic block of our own.

    The atomic blocks a test case wraps every test in do not count: they stand for autocommit.
    """
    return any(
        not getattr(block, "_from_testcase", False)
        for connection in connections.all(initialized_only=True)
        for block in connection.atomic_blocks
    )


def _refuse_inside_transaction(method: str | bytes, host: str) -> None:
    # A slow vendor must never hold a transaction or a row lock open (and a rollback cannot undo the call).
    if not in_transaction():
        return
    verb = method.decode() if isinstance(method, bytes) else method
    logger.error("http %s %s attempted inside a database transaction", verb, host)
    if settings.HTTP_REFUSE_IN_TRANSACTION:
        raise NetworkCallInTransaction(f"{verb} {host} was called inside a database transaction.")


class TimeoutSession(requests.Session):
    def __init__(self, timeout: float | None = None) -> None:
        super().__init__()
        self.default_timeout = timeout if timeout is not None else settings.HTTP_TIMEOUT_SECONDS
        self.headers["User-Agent"] = settings.HTTP_USER_AGENT

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.default_timeout)
        if kwargs["timeout"] is None:
            raise ValueError("Outbound HTTP calls must have a timeout.")
        host = urlsplit(str(url)).netloc
        _refuse_inside_transaction(method, host)
        started = time.monotonic()
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as exc:
            elapsed_ms = (time.monotonic() - started) * 1000
            logger.warning("http %s %s failed after %.0fms: %s", method, host, elapsed_ms, type(exc).__name__)
            raise
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.info("http %s %s %s %.0fms", method, host, response.status_code, elapsed_ms)
        return response


def http_session(timeout: float | None = None) -> TimeoutSession:
    """A new session with the mandatory timeout (seconds; settings.HTTP_TIMEOUT_SECONDS by default)."""
    return TimeoutSession(timeout=timeout)
