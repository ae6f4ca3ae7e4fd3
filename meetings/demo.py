"""Demo data of meetings: the demo clinic's meeting settings, and a room for every confirmed online booking.

Called by `manage.py seed_demo` after bookings; idempotent.
"""

from typing import Any

from django.conf import settings
from django.utils import timezone

from bookings.models import Booking, BookingStatus

from .models import ClinicMeetingSettings, Meeting, MeetingStatus
from .registry import DEFAULT_PROVIDER
from .services import meeting_create, meeting_ensure_for_booking

DEMO_ACTOR = "demo"


def _upcoming_confirmed_online(clinic: Any) -> list[Booking]:
    return list(
        Booking.objects.filter(
            clinic=clinic, status=BookingStatus.CONFIRMED, is_online=True, ends_at__gt=timezone.now()
        ).order_by("starts_at")
    )


def _give_a_room(booking: Booking) -> None:
    """Make the booking's meeting now, unless it already has a working one.

    The booking seed's signals usually did this already; with a real worker they
    may still be queued, and the demo should not depend on that.
    """
    if Meeting.objects.filter(booking=booking, is_current=True, status=MeetingStatus.ACTIVE).exists():
        return
    meeting = meeting_ensure_for_booking(booking_id=booking.pk)
    if meeting is not None:
        meeting_create(meeting_id=meeting.pk, is_last_attempt=True, actor=DEMO_ACTOR)


def seed(context: dict[str, Any]) -> dict[str, Any]:
    clinic = context["clinic"]
    meeting_settings, _created = ClinicMeetingSettings.objects.get_or_create(
        clinic=clinic,
        defaults={
            "default_provider": DEFAULT_PROVIDER,
            "fallback_provider": DEFAULT_PROVIDER,
            "base_url": settings.MEETINGS_SELFHOSTED_BASE_URL,
        },
    )
    bookings = _upcoming_confirmed_online(clinic)
    for booking in bookings:
        _give_a_room(booking)
    context["lines"]["links"].append(
        f"Meeting settings  {settings.SITE_URL}/c/{clinic.slug}/settings/meetings/ (owner)"
    )
    context.update(meeting_settings=meeting_settings, meetings=Meeting.objects.filter(booking__in=bookings))
    return context
