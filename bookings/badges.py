"""Booking statuses as the badges pages show them (kept apart from formatting, which must not need Django)."""

from django.utils.html import format_html
from django.utils.safestring import SafeString


def status_badge(status: str, label: str) -> SafeString:
    """A booking status as the coloured badge every page shows it in."""
    return format_html('<span class="badge {}">{}</span>', status, label)
