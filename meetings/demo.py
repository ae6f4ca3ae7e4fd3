"""Demo data of meetings: the demo clinic's meeting settings, and a room for every confirmed online booking.

Called by `manage.py seed_demo` after bookings; idempotent.
"""

import secrets
from typing import Any

from django.conf import settings
from django.utils import timezone

from bookings.models import Booking, BookingStatus

from .models import ClinicMeetingSettings, Meeting, MeetingStatus
from .providers.selfhosted import SelfHostedProvider
from .registry import DEFAULT_PROVIDER
from .services import meeting_create, meeting_ensure_for_booking, meeting_renew_links

DEMO_ACTOR = "demo"
# The demo's room server is the sandbox's; it checks tokens with whatever the clinic holds.
DEMO_JITSI_APP_ID = "clinicpro-demo"


def _upcoming_confirmed_online(clinic: Any) -> list[Booking]:
    return list(
        Booking.objects.filter(
            clinic=clinic, status=BookingStatus.CONFIRMED, is_online=True, ends_at__gt=timezone.now()
        ).order_by("starts_at")
    )


def _give_a_room(booking: Booking) -> None:
    """Make the booking's meeting now, unless it already has a working one; sign an open room's links.

    The booking seed's signals usually made the room already, before the clinic
    had its room credentials; with a real worker they may still be queued, and
    the demo should not depend on that.
    """
    working = Meeting.objects.filter(booking=booking, is_current=True, status=MeetingStatus.ACTIVE).first()
    if working is None:
        meeting = meeting_ensure_for_booking(booking_id=booking.pk)
        if meeting is not None:
            meeting_create(meeting_id=meeting.pk, is_last_attempt=True, actor=DEMO_ACTOR)
    elif working.provider == SelfHostedProvider.key and working.host_url == working.join_url:
        meeting_renew_links(booking_id=booking.pk, actor=DEMO_ACTOR)


def _demo_meeting_settings(clinic: Any) -> ClinicMeetingSettings:
    """The demo clinic's settings, with room credentials so host and patient links differ and the room enforces it."""
    config, _created = ClinicMeetingSettings.objects.get_or_create(
        clinic=clinic,
        defaults={
            "default_provider": DEFAULT_PROVIDER,
            "fallback_provider": DEFAULT_PROVIDER,
            "base_url": settings.MEETINGS_SELFHOSTED_BASE_URL,
        },
    )
    if not config.uses_jwt:
        config.jitsi_app_id = DEMO_JITSI_APP_ID
        config.jitsi_app_secret = secrets.token_urlsafe(32)
        config.save(update_fields=["jitsi_app_id", "jitsi_app_secret", "updated_at"])
    return config


def seed(context: dict[str, Any]) -> dict[str, Any]:
    clinic = context["clinic"]
    meeting_settings = _demo_meeting_settings(clinic)
    bookings = _upcoming_confirmed_online(clinic)
    for booking in bookings:
        _give_a_room(booking)
    context["lines"]["links"].append(
        f"Meeting settings  {settings.SITE_URL}/c/{clinic.slug}/settings/meetings/ (owner)"
    )
    context.update(meeting_settings=meeting_settings, meetings=Meeting.objects.filter(booking__in=bookings))
    return context
