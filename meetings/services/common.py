"""What every meeting service shares: errors, what providers are told, loading and storing rows."""

import random
from typing import Any

from django.conf import settings

from bookings.models import Booking, BookingStatus

from ..calls import describe
from ..models import EventOutcome, Meeting, settings_for
from ..providers.base import MeetingProvider, MeetingProviderError, MeetingRecord, MeetingRequest
from ..selection import provider_for

# Keys a provider might echo back that hold a credential or a host link; never stored in `raw`.
SECRET_KEYS = frozenset(
    {
        "start_url",
        "password",
        "passcode",
        "h323_password",
        "pstn_password",
        "encrypted_password",
        "jwt",
        "token",
        "access_token",
        "refresh_token",
        "host_url",
        "startUrl",
    }
)
# HTTP statuses after which the vendor may have acted on a request whose answer we never read.
ANSWER_MAY_BE_LOST = frozenset({None, 408, 409, 500, 502, 503, 504})


class MeetingError(Exception):
    """An action on a booking's meeting that cannot be done, in words for the person who asked."""


def max_attempts() -> int:
    return max(1, settings.MEETINGS_MAX_ATTEMPTS)


def backoff_seconds(failures: int, retry_after: float | None = None) -> float:
    """Exponential backoff with full jitter (0 .. base * 2**failures, capped), never shorter than Retry-After."""
    ceiling = min(settings.MEETINGS_RETRY_CAP_SECONDS, settings.MEETINGS_RETRY_BASE_SECONDS * 2 ** max(failures, 0))
    delay = random.uniform(0, ceiling)
    return max(delay, retry_after) if retry_after else delay


def answer_may_be_lost(error: MeetingProviderError) -> bool:
    """A timeout, a reset connection or a 5xx: the vendor may have done what we asked."""
    return not error.reconnect and error.status_code in ANSWER_MAY_BE_LOST and not error.permanent


def meeting_request_for(booking: Booking, *, idempotency_key: str) -> MeetingRequest:
    """What providers are told about a booking: its time and a title without the patient's name."""
    config = settings_for(booking.clinic)
    return MeetingRequest(
        booking=booking,
        idempotency_key=idempotency_key,
        title=f"{booking.service.name} with {booking.practitioner.display_name}",
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        timezone=booking.clinic.timezone,
        settings={**booking.service.meeting_settings, "send_provider_invites": config.send_provider_invites},
    )


def needs_meeting(booking: Booking) -> bool:
    return booking.is_online and booking.status == BookingStatus.CONFIRMED


def current_meeting(booking_id: int) -> Meeting | None:
    return Meeting.objects.current_for(booking_id)


def load_booking(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related("clinic", "service", "practitioner", "practitioner__membership")
        .filter(pk=booking_id)
        .first()
    )


def load_meeting(meeting_id: int) -> Meeting | None:
    return (
        Meeting.objects.select_related(
            "booking__clinic", "booking__service", "booking__practitioner", "booking__practitioner__membership"
        )
        .filter(pk=meeting_id)
        .first()
    )


def _without_secrets(raw: Any) -> Any:
    if isinstance(raw, dict):
        return {key: _without_secrets(value) for key, value in raw.items() if key not in SECRET_KEYS}
    if isinstance(raw, list):
        return [_without_secrets(item) for item in raw]
    return raw


def stored_fields(record: MeetingRecord, request: MeetingRequest) -> dict[str, Any]:
    """The columns a provider's answer fills in."""
    return {
        "external_id": record.external_id,
        "join_url": record.join_url,
        "host_url": record.host_url or record.join_url,
        "passcode": record.passcode,
        "raw": _without_secrets(record.raw),
        "scheduled_starts_at": request.starts_at,
        "scheduled_ends_at": request.ends_at,
        "last_error": "",
    }


def provider_or_audit(meeting: Meeting, action: str, actor: str) -> MeetingProvider:
    """The meeting's provider; one that cannot be loaded is audited and raised as permanent."""
    try:
        return provider_for(meeting.booking, meeting.provider)
    except MeetingProviderError as exc:
        meeting.audit(action, EventOutcome.ERROR, error=describe(exc), actor=actor)
        raise
