"""Busy times from a practitioner's Google Calendar, kept out of their booking slots.

A calendar that cannot be read must never stop a patient from booking: every
failure is logged (without secrets), remembered on the connection so the
practitioner sees a banner, and answered with no busy times.
"""

import logging
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from bookings.hooks import BusyInterval
from bookings.models import Practitioner
from clinicpro.http import http_session

from .endpoints import provider_endpoints
from .errors import ReconnectRequired
from .models import Connection
from .selectors import active_connection
from .tokens import access_token_for, force_refresh

logger = logging.getLogger(__name__)

# The patient is waiting on this answer: never wait the full default timeout for it.
FREEBUSY_TIMEOUT_SECONDS = 5.0


class FreeBusyUnavailable(Exception):
    pass


def google_busy_times(practitioner: Practitioner, start: datetime, end: datetime) -> list[BusyInterval]:
    """The bookings.hooks busy source for Google Calendar."""
    connection = active_connection(practitioner=practitioner, provider="google")
    if connection is None:
        return []
    key = f"integrations:freebusy:{connection.pk}:{int(start.timestamp())}:{int(end.timestamp())}"
    cached = cache.get(key)
    if cached is not None:
        return [BusyInterval(start=_parse(s), end=_parse(e)) for s, e in cached]
    try:
        intervals = fetch_busy_times(connection, start, end)
    except ReconnectRequired:
        # The connection is now marked needs_reconnect, which has its own banner.
        logger.warning("Free/busy skipped for connection %s: it needs reconnecting", connection.pk)
        return []
    except Exception as exc:
        _record_failure(connection, exc)
        return []
    cache.set(
        key,
        [(i.start.isoformat(), i.end.isoformat()) for i in intervals],
        settings.INTEGRATIONS_FREEBUSY_CACHE_SECONDS,
    )
    _clear_failure(connection)
    return intervals


def fetch_busy_times(connection: Connection, start: datetime, end: datetime) -> list[BusyInterval]:
    """POST freeBusy for the primary calendar; one token refresh when Google says the token is invalid."""
    body = {"timeMin": _rfc3339(start), "timeMax": _rfc3339(end), "items": [{"id": "primary"}]}
    url = provider_endpoints("google").api_base.rstrip("/") + "/freeBusy"
    session = http_session(timeout=min(FREEBUSY_TIMEOUT_SECONDS, settings.HTTP_TIMEOUT_SECONDS))
    response = session.post(url, json=body, headers={"Authorization": f"Bearer {access_token_for(connection)}"})
    if response.status_code == 401:
        response = session.post(url, json=body, headers={"Authorization": f"Bearer {force_refresh(connection)}"})
    if response.status_code != 200:
        raise FreeBusyUnavailable(f"Google Calendar answered {response.status_code} to freeBusy")
    try:
        calendar = response.json()["calendars"]["primary"]
        if calendar.get("errors"):
            reasons = ", ".join(str(error.get("reason")) for error in calendar["errors"])
            raise FreeBusyUnavailable(f"Google Calendar could not read the calendar ({reasons})")
        return [BusyInterval(start=_parse(b["start"]), end=_parse(b["end"])) for b in calendar.get("busy", [])]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FreeBusyUnavailable(f"Google Calendar's freeBusy answer was unreadable ({type(exc).__name__})") from None


def _record_failure(connection: Connection, exc: Exception) -> None:
    # Our own messages name only the status; for anything else the type says enough and cannot leak a token.
    reason = str(exc) if isinstance(exc, FreeBusyUnavailable) else type(exc).__name__
    logger.warning("Free/busy for connection %s failed: %s", connection.pk, reason)
    Connection.objects.filter(pk=connection.pk).update(
        calendar_error_at=timezone.now(), last_error=f"Reading busy times failed: {reason}"[:2000]
    )


def _clear_failure(connection: Connection) -> None:
    Connection.objects.filter(Q(pk=connection.pk) & Q(calendar_error_at__isnull=False)).update(
        calendar_error_at=None, last_error=""
    )


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
