"""Booking changes become meeting work: written inside the booking's transaction, then queued after commit.

`booking_changing` (in the transaction) writes what the meeting is owed on its
row; the after-commit signals only queue the fast path. Duplicated signals
queue duplicated tasks, which the rows' leases absorb.
"""

from typing import Any

from django.db import transaction

from bookings.models import Booking

from .models import Meeting
from .services import meeting_intent_for_cancelled, meeting_intent_for_confirmed, meeting_intent_for_rescheduled
from .tasks import queue_meeting_work

INTENTS = {
    "confirmed": meeting_intent_for_confirmed,
    "rescheduled": meeting_intent_for_rescheduled,
    "cancelled": meeting_intent_for_cancelled,
}


def record_meeting_intent(sender: Any, booking: Booking, event: str, **kwargs: Any) -> None:
    intent = INTENTS.get(event)
    if intent is not None and booking.pk is not None:
        intent(booking)


def queue_due_meeting_work(sender: Any, booking: Booking, **kwargs: Any) -> None:
    """After commit: run now what the booking's transaction made due, rather than wait for the next pass."""
    due = list(
        Meeting.objects.filter(booking_id=booking.pk, next_attempt_at__isnull=False).values_list("pk", flat=True)
    )
    if due:

        def queue_due() -> None:
            for meeting_id in due:
                queue_meeting_work(meeting_id)

        transaction.on_commit(queue_due)


def connect() -> None:
    from bookings import signals

    signals.booking_changing.connect(record_meeting_intent, dispatch_uid="meetings.intent")
    signals.booking_confirmed.connect(queue_due_meeting_work, dispatch_uid="meetings.create")
    signals.booking_rescheduled.connect(queue_due_meeting_work, dispatch_uid="meetings.update")
    signals.booking_cancelled.connect(queue_due_meeting_work, dispatch_uid="meetings.cancel")
