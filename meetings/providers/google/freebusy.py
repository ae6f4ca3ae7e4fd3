"""Google Calendar's busy times, read through the same client and error mapping as Meet events."""

from datetime import UTC, datetime

from bookings.hooks import BusyInterval
from clinicpro.http import http_session
from integrations.models import Connection
from integrations.vendors.http import VendorError

from .client import GoogleCalendar


def busy_times(connection: Connection, start: datetime, end: datetime, *, timeout: float) -> list[BusyInterval]:
    """The primary calendar's busy intervals; VendorError when Google cannot say."""
    calendar = GoogleCalendar(connection, session=http_session(timeout=timeout)).free_busy(start, end)
    if calendar.get("errors"):
        reasons = ", ".join(str(error.get("reason")) for error in calendar["errors"] if isinstance(error, dict))
        raise VendorError(f"Google Calendar could not read the calendar ({reasons})")
    try:
        return [BusyInterval(start=_parse(b["start"]), end=_parse(b["end"])) for b in calendar.get("busy", [])]
    except (ValueError, KeyError, TypeError) as exc:
        raise VendorError(f"Google Calendar's freeBusy answer was unreadable ({type(exc).__name__})") from None


def _parse(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
