"""Callbacks the messaging emulators make after answering, as the gateways do: a moment later, over HTTP."""

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections, connections

from clinicpro.http import http_session

logger = logging.getLogger(__name__)

# Seconds between accepting a message and reporting on it (numbers ending in 0000 are reported undelivered).
DELAY_SECONDS = 0.2


def later(work: Callable[[], None], delay: float | None = None) -> None:
    """Run `work` on a daemon thread after `delay`, with its own database connection."""

    def run() -> None:
        close_old_connections()
        try:
            work()
        except Exception:
            logger.exception("A sandbox callback failed")
        finally:
            connections.close_all()

    timer = threading.Timer(DELAY_SECONDS if delay is None else delay, run)
    timer.daemon = True
    timer.start()


def post_form(url: str, data: dict[str, str], headers: dict[str, str] | None = None) -> int:
    response = http_session(timeout=5).post(url, data=data, headers=headers or {})
    return response.status_code


def segments(text: str) -> int:
    """Parts of an SMS as the gateways bill it: 160/153 plain characters, else 70/67."""
    plain = all(ord(c) < 128 and c not in "^{}\\[~]|" for c in text)
    single, multi = (160, 153) if plain else (70, 67)
    return 1 if len(text) <= single else -(-len(text) // multi)
