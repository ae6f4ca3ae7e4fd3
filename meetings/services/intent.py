"""What a booking change owes its meeting, written inside the booking's own transaction.

Listeners of `bookings.signals.booking_changing` call these, so the meeting row
(or the move or deletion it is due) commits or rolls back with the booking:
a lost task publish, a dead worker or a broker outage delays the work, never loses it.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bookings.models import Booking
from clinicpro.models import Clinic

from ..models import Meeting, MeetingStatus
from ..providers.selfhosted import SelfHostedProvider
from .cancellation import meeting_cancel_intent
from .common import needs_meeting
from .lifecycle import meeting_pending_for


def meeting_intent_for_confirmed(booking: Booking) -> Meeting | None:
    """A confirmed online booking gets its pending meeting row (and join links), due now."""
    if not needs_meeting(booking):
        return None
    return meeting_pending_for(booking)


def meeting_intent_for_rescheduled(booking: Booking) -> Meeting | None:
    """The current meeting must follow the booking's new time: its move is due now."""
    if not needs_meeting(booking):
        return None
    meeting = Meeting.objects.current_for(booking)
    if meeting is None:
        return meeting_pending_for(booking)
    now = timezone.now()
    # A meeting being created stays with its worker, which sees the new time once it stores the meeting.
    Meeting.objects.filter(pk=meeting.pk).exclude(status=MeetingStatus.CANCELLED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__gt=now)
    ).update(next_attempt_at=now)
    return meeting


def meeting_intent_for_cancelled(booking: Booking) -> list[int]:
    """The meeting is cancelled with the booking; returns the rows whose deletion at the vendor is due."""
    return meeting_cancel_intent(booking)


def meeting_links_renew_intent(clinic: Clinic) -> int:
    """The clinic's room settings changed: the links of its coming self-hosted meetings are due to be renewed.

    Called in the transaction that saves the settings; the due pass renews them, and a task queued
    after commit does it at once. Rows under a worker's lease are left to it. Returns how many.
    """
    now = timezone.now()
    coming = (
        Meeting.objects.filter(
            booking__clinic=clinic,
            booking__ends_at__gt=now,
            provider=SelfHostedProvider.key,
            is_current=True,
            status=MeetingStatus.ACTIVE,
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__gt=now))
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now))
    )
    due = list(coming.values_list("pk", flat=True))
    coming.filter(pk__in=due).update(next_attempt_at=now)
    transaction.on_commit(lambda: _queue(due))
    return len(due)


def _queue(meeting_ids: list[int]) -> None:
    from ..tasks import queue_meeting_work

    for meeting_id in meeting_ids:
        queue_meeting_work(meeting_id)
