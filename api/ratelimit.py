"""Requests per minute per API key (or signed-in member), counted in the shared cache (Redis).

A fixed one-minute window: the counter is created with the window's expiry and
incremented atomically, so every web process counts against the same limit.
"""

import time

from django.conf import settings
from django.core.cache import cache

from .problems import ApiProblem

WINDOW_SECONDS = 60


def check_rate(principal: str) -> None:
    """Count one request for `principal`; raise a 429 problem with Retry-After past the limit."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    window = int(time.time() // WINDOW_SECONDS)
    counter = f"api:rate:{principal}:{window}"
    cache.add(counter, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr: this request opens the window
        cache.set(counter, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    if count > limit:
        retry_after = max(1, (window + 1) * WINDOW_SECONDS - int(time.time()))
        raise ApiProblem(
            429,
            "rate_limited",
            "Too many requests",
            f"This key may make {limit} requests a minute. Try again in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )
