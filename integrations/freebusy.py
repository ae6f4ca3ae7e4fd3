"""Busy times from practitioners' connected calendars, kept out of their booking slots.

Every vendor whose descriptor names a `busy_times` reader takes part. A calendar
that cannot be read must never stop a patient from booking: every failure is
logged (without secrets), remembered on the connection so the practitioner sees
a banner, and answered with no busy times.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from bookings.hooks import BusyInterval
from bookings.models import Practitioner

from .models import Connection
from .selectors import active_connection
from .vendors.base import Vendor
from .vendors.http import VendorError
from .vendors.registry import import_dotted, vendors_where

logger = logging.getLogger(__name__)

# The patient is waiting on this answer: never wait the full default timeout for it.
FREEBUSY_TIMEOUT_SECONDS = 5.0

BusyReader = Callable[..., list[BusyInterval]]


def calendar_busy_times(practitioner: Practitioner, start: datetime, end: datetime) -> list[BusyInterval]:
    """The bookings.hooks busy source: every connected calendar of the practitioner."""
    intervals: list[BusyInterval] = []
    for vendor in vendors_where(lambda vendor: bool(vendor.busy_times)):
        connection = active_connection(practitioner=practitioner, provider=vendor.key)
        if connection is not None:
            intervals.extend(_busy_times(vendor, connection, start, end))
    return intervals


def _busy_times(vendor: Vendor, connection: Connection, start: datetime, end: datetime) -> list[BusyInterval]:
    key = f"integrations:freebusy:{connection.pk}:{int(start.timestamp())}:{int(end.timestamp())}"
    cached = cache.get(key)
    if cached is not None:
        return [BusyInterval(start=_parse(s), end=_parse(e)) for s, e in cached]
    reader: BusyReader = import_dotted(vendor.busy_times)
    try:
        intervals = reader(connection, start, end, timeout=min(FREEBUSY_TIMEOUT_SECONDS, settings.HTTP_TIMEOUT_SECONDS))
    except VendorError as exc:
        if exc.reconnect:
            # The connection is now marked needs_reconnect, which has its own banner.
            logger.warning("Free/busy skipped for connection %s: it needs reconnecting", connection.pk)
            return []
        _record_failure(connection, str(exc))
        return []
    except Exception as exc:
        # Anything else: its type says enough and cannot leak a token.
        _record_failure(connection, type(exc).__name__)
        return []
    cache.set(
        key,
        [(i.start.isoformat(), i.end.isoformat()) for i in intervals],
        settings.INTEGRATIONS_FREEBUSY_CACHE_SECONDS,
    )
    _clear_failure(connection)
    return intervals


def _record_failure(connection: Connection, reason: str) -> None:
    logger.warning("Free/busy for connection %s failed: %s", connection.pk, reason)
    Connection.objects.filter(pk=connection.pk).update(
        calendar_error_at=timezone.now(), last_error=f"Reading busy times failed: {reason}"[:2000]
    )


def _clear_failure(connection: Connection) -> None:
    Connection.objects.filter(Q(pk=connection.pk) & Q(calendar_error_at__isnull=False)).update(
        calendar_error_at=None, last_error=""
    )


def _parse(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
