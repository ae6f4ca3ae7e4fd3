"""Reminders and start-time checks, computed by a beat pass over upcoming confirmed bookings.

Nothing is scheduled ahead (a countdown task would die with the broker): every
pass looks at what is due now. A reminder `h` hours before is due from
starts_at - h until the start; the message's key holds the booking's sequence
and `h`, so a pass run twice writes it once, and a rescheduled booking (new
sequence) gets reminders for its new time. Offsets are real hours, so a
reminder lands 24 hours before even across a daylight-saving change.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bookings import hooks
from bookings.models import Booking, BookingStatus

from . import compose
from .models import ClinicMessaging, Kind
from .outbox import alert_write, booking_key, patient_messages_write

DEFAULT_REMINDER_HOURS = [24, 2]


def reminder_hours(booking: Booking) -> list[int]:
    config = ClinicMessaging.objects.filter(clinic=booking.clinic).first()
    hours = config.reminder_hours if config is not None else DEFAULT_REMINDER_HOURS
    return sorted({int(h) for h in hours if int(h) > 0})


def due_offset(booking: Booking, hours: list[int], now: datetime) -> int | None:
    """The one reminder due now: the closest to the start whose moment has passed.

    A reminder whose moment came before the booking was confirmed or last moved
    is left out: the confirmation said it all moments ago.
    """
    told_at = booking.updated_at
    for h in sorted(hours):
        moment = booking.starts_at - timedelta(hours=h)
        if moment <= now < booking.starts_at:
            return h if told_at <= moment else None
    return None


def upcoming_confirmed(now: datetime, horizon_hours: int) -> list[Booking]:
    return list(
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED, starts_at__gt=now, starts_at__lte=now + timedelta(hours=horizon_hours)
        ).select_related("clinic", "service", "practitioner__membership__user", "patient")
    )


def reminders_plan(*, now: datetime | None = None) -> int:
    """Write the reminders due now. Returns how many bookings got one."""
    now = now or timezone.now()
    planned = 0
    for booking in upcoming_confirmed(now, horizon_hours()):
        h = due_offset(booking, reminder_hours(booking), now)
        if h is None:
            continue
        with transaction.atomic():
            patient_messages_write(booking, Kind.REMINDER, compose.reminder(booking, hours=h), suffix=f"reminder:{h}h")
        planned += 1
    return planned


def horizon_hours() -> int:
    """How far ahead any clinic wants a reminder."""
    configured = [
        int(h) for hours in ClinicMessaging.objects.values_list("reminder_hours", flat=True) for h in hours or []
    ]
    return max([*DEFAULT_REMINDER_HOURS, *configured])


def urgent_link_alerts(*, now: datetime | None = None) -> int:
    """Tell the practitioner and owners, once, about an online booking close to its start with no ready link."""
    now = now or timezone.now()
    soon = now + timedelta(minutes=settings.NOTIFICATIONS_URGENT_LINK_MINUTES)
    bookings = Booking.objects.filter(
        status=BookingStatus.CONFIRMED, is_online=True, starts_at__gt=now, starts_at__lte=soon
    ).select_related("clinic", "service", "practitioner__membership__user", "patient")
    alerted = 0
    for booking in bookings:
        conference = hooks.conference_for(booking, "host")
        if conference is not None and conference.status == "active":
            continue
        with transaction.atomic():
            alert_write(
                clinic=booking.clinic,
                booking=booking,
                cause=booking_key(booking, "no-link"),
                subject=f"No meeting link yet: {booking.service.name}, {compose.short_time(booking)}",
                text=f"{booking.service.name} on {compose.short_time(booking)} starts soon and has no working "
                "meeting link yet. Open the booking to regenerate it.",
                link=compose.dashboard_link(booking),
            )
        alerted += 1
    return alerted
