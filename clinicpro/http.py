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

logger = logging.getLogger("clinicpro.http")


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
