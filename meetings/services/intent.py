"""What a booking change owes its meeting, written inside the booking's own transaction.

Listeners of `bookings.signals.booking_changing` call these, so the meeting row
(or the move or deletion it is due) commits or rolls back with the booking:
a lost task publish, a dead worker or a broker outage delays the work, never loses it.
"""

from django.db.models import Q
from django.utils import timezone

from bookings.models import Booking

from ..models import Meeting, MeetingStatus
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
