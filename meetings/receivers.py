"""Booking signals become meeting tasks, queued once the booking's transaction has committed.

bookings sends its signals after commit already; queuing through on_commit as
well keeps this safe if a signal is ever sent from inside a transaction.
Duplicated signals queue duplicated tasks, which the services' claims absorb.
"""

from typing import Any

from django.db import transaction

from bookings.models import Booking, BookingStatus

from .models import Meeting
from .tasks import cancel_meeting, create_meeting, update_meeting


def queue_meeting_creation(sender: Any, booking: Booking, **kwargs: Any) -> None:
    if booking.is_online:
        booking_id = booking.pk
        transaction.on_commit(lambda: create_meeting.delay(booking_id))


def queue_meeting_update(sender: Any, booking: Booking, **kwargs: Any) -> None:
    if not booking.is_online:
        return
    if booking.status == BookingStatus.CONFIRMED or Meeting.objects.filter(booking=booking, is_current=True).exists():
        booking_id = booking.pk
        transaction.on_commit(lambda: update_meeting.delay(booking_id))


def queue_meeting_cancellation(sender: Any, booking: Booking, **kwargs: Any) -> None:
    if booking.is_online or Meeting.objects.filter(booking=booking).exists():
        booking_id = booking.pk
        transaction.on_commit(lambda: cancel_meeting.delay(booking_id))


def connect() -> None:
    from bookings import signals

    signals.booking_confirmed.connect(queue_meeting_creation, dispatch_uid="meetings.create")
    signals.booking_rescheduled.connect(queue_meeting_update, dispatch_uid="meetings.update")
    signals.booking_cancelled.connect(queue_meeting_cancellation, dispatch_uid="meetings.cancel")
