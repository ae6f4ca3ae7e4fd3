"""Booking statuses as the badges pages show them (kept apart from formatting, which must not need Django)."""

from functools import lru_cache

from django.utils.html import format_html
from django.utils.safestring import SafeString


@lru_cache(maxsize=64)
def status_badge(status: str, label: str) -> SafeString:
    """A booking status as the coloured badge every page shows it in (a table shows the same few many times)."""
    return format_html('<span class="badge {}">{}</span>', status, label)
