"""What is due on a meeting row, and the pass that finds due and abandoned rows.

Every meeting row carries its own next step (`next_attempt_at`): create it,
move it to the booking's new time, or delete it at the vendor. A task queued
after commit runs that step at once (the fast path); the beat pass, every
MEETINGS_DUE_PASS_SECONDS, takes what is due or whose lease ran out with
SELECT ... FOR UPDATE SKIP LOCKED, reserves it under the lock, commits, and
only then talks to providers.
"""

import logging
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from bookings.models import BookingStatus

from ..models import Meeting, MeetingStatus
from .cancellation import meeting_cancel_for_booking, meeting_retire
from .claims import free_of_leases, lease_seconds
from .common import needs_meeting
from .lifecycle import meeting_create, meeting_update_for_reschedule

logger = logging.getLogger(__name__)


def meeting_process(*, meeting_id: int, actor: str = "worker") -> None:
    """Run whatever step is due on this meeting row now."""
    meeting = Meeting.objects.select_related("booking").filter(pk=meeting_id).first()
    if meeting is None:
        return
    booking = meeting.booking
    if meeting.status == MeetingStatus.CANCELLED or not meeting.is_current:
        if booking.status == BookingStatus.CANCELLED and meeting.is_current:
            meeting_cancel_for_booking(booking_id=booking.pk, actor=actor)
        else:
            meeting_retire(meeting_id=meeting_id, actor=actor)
    elif booking.status == BookingStatus.CANCELLED:
        meeting_cancel_for_booking(booking_id=booking.pk, actor=actor)
    elif not needs_meeting(booking):
        Meeting.objects.filter(pk=meeting_id, lease_expires_at__isnull=True).update(next_attempt_at=None)
    elif meeting.status == MeetingStatus.ACTIVE:
        meeting_update_for_reschedule(booking_id=booking.pk, actor=actor)
    else:
        meeting_create(meeting_id=meeting_id, actor=actor)


def reserve_next_due() -> int | None:
    """One due row whose lease is free, reserved for a lease's length so no other pass takes it meanwhile."""
    now = timezone.now()
    with transaction.atomic():
        meeting_id = (
            Meeting.objects.select_for_update(skip_locked=True)
            .filter(free_of_leases(now), next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)
            .first()
        )
        if meeting_id is not None:
            Meeting.objects.filter(pk=meeting_id).update(next_attempt_at=now + timedelta(seconds=lease_seconds()))
    return meeting_id


def meetings_run_due(*, budget_seconds: float, actor: str = "system") -> int:
    """Work through due rows, one at a time, for at most about `budget_seconds`; returns how many."""
    deadline = time.monotonic() + budget_seconds
    handled = 0
    while time.monotonic() < deadline:
        meeting_id = reserve_next_due()
        if meeting_id is None:
            break
        try:
            meeting_process(meeting_id=meeting_id, actor=actor)
        except Exception:
            # One broken row must not stop the pass; its reservation runs out and it is tried again.
            logger.exception("Meeting %s: the due step failed", meeting_id)
        handled += 1
    return handled
