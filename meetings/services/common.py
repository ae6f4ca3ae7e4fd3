"""What every meeting service shares: errors, what providers are told, loading and storing rows."""

from typing import Any

from django.conf import settings

from bookings.models import Booking, BookingStatus

from ..calls import describe
from ..models import (
    EventOutcome,
    Meeting,
    record_event,
    settings_for,
)
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


class MeetingError(Exception):
    """An action on a booking's meeting that cannot be done, in words for the person who asked."""


class RetryLater(Exception):
    """A transient provider failure: the task should try again, not before `retry_after` seconds if given."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def max_attempts() -> int:
    return max(1, settings.MEETINGS_MAX_ATTEMPTS)


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
    return Meeting.objects.filter(booking_id=booking_id, is_current=True).first()


def _load_booking(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related("clinic", "service", "practitioner", "practitioner__membership")
        .filter(pk=booking_id)
        .first()
    )


def _load_meeting(meeting_id: int) -> Meeting | None:
    return (
        Meeting.objects.select_related(
            "booking__clinic", "booking__service", "booking__practitioner", "booking__practitioner__membership"
        )
        .filter(pk=meeting_id)
        .first()
    )


def _record_of(meeting: Meeting) -> MeetingRecord:
    return MeetingRecord(
        external_id=meeting.external_id,
        join_url=meeting.join_url,
        host_url=meeting.host_url,
        passcode=meeting.passcode,
        raw=meeting.raw,
    )


def _without_secrets(raw: Any) -> Any:
    if isinstance(raw, dict):
        return {key: _without_secrets(value) for key, value in raw.items() if key not in SECRET_KEYS}
    if isinstance(raw, list):
        return [_without_secrets(item) for item in raw]
    return raw


def _stored_fields(record: MeetingRecord, request: MeetingRequest) -> dict[str, Any]:
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


def _provider_or_audit(meeting: Meeting, action: str, actor: str) -> MeetingProvider:
    try:
        return provider_for(meeting.booking, meeting.provider)
    except MeetingProviderError as exc:
        record_event(
            booking_id=meeting.booking_id,
            meeting_id=meeting.pk,
            action=action,
            provider=meeting.provider,
            outcome=EventOutcome.ERROR,
            error=describe(exc),
            actor=actor,
        )
        raise
