"""Cancelling a booking's meeting, deleting retired ones at their provider, and regenerating.

Deletion looks before it forgets: a meeting whose create answer was lost has no
id here, so the provider's `find` (by the meeting's idempotency key) locates it
first. A deletion that fails stays due on the row, with backoff, until the
vendor confirms the meeting gone; the owner sees such meetings listed.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from bookings.models import Booking, BookingStatus

from ..calls import call_provider, describe
from ..models import EventAction, EventOutcome, JoinLink, Meeting, MeetingStatus
from ..providers.base import MeetingProviderError
from ..selection import provider_key_for
from ..selectors import awaiting_deletion
from .claims import attempt_for, claim, release
from .common import (
    MeetingError,
    backoff_seconds,
    load_booking,
    meeting_request_for,
    needs_meeting,
    provider_or_audit,
)

logger = logging.getLogger(__name__)


# --- Cancelling ---------------------------------------------------------------------------------------


def meeting_cancel_intent(booking: Booking, *, actor: str = "system") -> list[int]:
    """Inside the cancelling transaction: revoke the join links and mark the meeting cancelled.

    Returns the meetings whose deletion at the vendor is now due. A meeting
    being created is marked too: its worker sees it and removes what it made.
    """
    now = timezone.now()
    JoinLink.objects.filter(booking_id=booking.pk, revoked_at__isnull=True).update(revoked_at=now)
    for meeting in Meeting.objects.filter(booking_id=booking.pk, is_current=True).exclude(
        status=MeetingStatus.CANCELLED
    ):
        if (
            Meeting.objects.filter(pk=meeting.pk)
            .exclude(status=MeetingStatus.CANCELLED)
            .update(
                status=MeetingStatus.CANCELLED,
                cancelled_at=now,
                updated_at=now,
                next_attempt_at=now,
                # A create in flight may reach the vendor whatever happens to its worker: look for it.
                answer_lost=Case(When(status=MeetingStatus.CREATING, then=Value(True)), default=F("answer_lost")),
            )
        ):
            meeting.audit(EventAction.STATUS, EventOutcome.OK, detail="Booking cancelled.", actor=actor)
    # Nothing owed at the vendor and nobody creating: no deletion is due after all.
    Meeting.objects.filter(
        booking_id=booking.pk, status=MeetingStatus.CANCELLED, external_id="", answer_lost=False
    ).filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)).update(next_attempt_at=None)
    return list(
        Meeting.objects.filter(booking_id=booking.pk, next_attempt_at__isnull=False).values_list("pk", flat=True)
    )


def meeting_cancel_for_booking(*, booking_id: int, actor: str = "worker") -> int:
    """Cancel a cancelled booking's meeting and delete what its provider holds; returns how many were deleted."""
    booking = load_booking(booking_id)
    if booking is None or booking.status != BookingStatus.CANCELLED:
        return 0
    with transaction.atomic():
        meeting_cancel_intent(booking, actor=actor)
    pending = awaiting_deletion().filter(booking_id=booking_id).values_list("pk", flat=True)
    return sum(meeting_retire(meeting_id=pk, actor=actor) for pk in list(pending))


# --- Deleting at the vendor ------------------------------------------------------------------------


def meeting_retire(*, meeting_id: int, actor: str = "worker") -> int:
    """Delete a cancelled, replaced or failed meeting at its provider. Returns 1 when the vendor confirmed it gone.

    A failure keeps the deletion due on the row, with backoff, until it succeeds.
    """
    if not awaiting_deletion().filter(pk=meeting_id).exists():
        # Nothing (more) to delete; a current meeting's own steps are left as they are.
        Meeting.objects.filter(
            Q(is_current=False) | Q(status=MeetingStatus.CANCELLED), pk=meeting_id, lease_expires_at__isnull=True
        ).update(next_attempt_at=None)
        return 0
    claimed_at = claim(meeting_id, creating=False)
    if claimed_at is None:
        return 0  # being created or deleted by another worker; the row stays due
    attempt = attempt_for(meeting_id, claimed_at, actor=actor)
    meeting = attempt.meeting
    try:
        provider = provider_or_audit(meeting, EventAction.DELETE, actor)
        record = meeting.as_record() if meeting.external_id else None
        if record is None:
            request = meeting_request_for(meeting.booking, idempotency_key=str(meeting.idempotency_key))
            record = call_provider(
                meeting=meeting, action=EventAction.FIND, actor=actor, call=lambda: provider.find(request)
            )
        if record is not None:
            found = record
            call_provider(meeting=meeting, action=EventAction.DELETE, actor=actor, call=lambda: provider.delete(found))
    except MeetingProviderError as exc:
        failures = meeting.step_failures + 1
        wait = backoff_seconds(failures - 1, exc.retry_after)
        release(
            attempt,
            next_attempt_at=timezone.now() + timedelta(seconds=wait),
            step_failures=failures,
            last_error=describe(exc),
        )
        logger.warning("Meeting %s is not deleted at its provider yet (%s); next try in %.0fs.", meeting_id, exc, wait)
        return 0
    release(
        attempt,
        next_attempt_at=None,
        deleted=True,
        step_failures=0,
        answer_lost=False,
        provider_deleted_at=timezone.now(),
    )
    return 1


# --- Regenerating ------------------------------------------------------------------------------------


def meeting_regenerate(*, booking_id: int, actor: str, reason: str) -> Meeting:
    """Replace the booking's meeting with a new one, keeping the old one as history.

    Both rows are due at once: the old one is deleted at its provider and the new
    one created, by the worker once this commits (or the next pass); join links stay the same.
    """
    reason = reason.strip()
    if not reason:
        raise MeetingError("Say why the meeting is being regenerated.")
    with transaction.atomic():
        booking = Booking.objects.select_for_update(no_key=True).filter(pk=booking_id).first()
        if booking is None or not needs_meeting(booking):
            raise MeetingError("Only a confirmed online booking has a meeting to regenerate.")
        previous = Meeting.objects.select_for_update().filter(booking_id=booking_id, is_current=True).first()
        now = timezone.now()
        if previous is not None:
            Meeting.objects.filter(pk=previous.pk).update(
                status=MeetingStatus.CANCELLED, is_current=False, cancelled_at=now, updated_at=now, next_attempt_at=now
            )
        replacement = Meeting.objects.create(
            booking=booking,
            provider=provider_key_for(booking),
            next_attempt_at=now,
            change_reason=f"The meeting was made again: {reason}"[:300],
        )
        replacement.audit(EventAction.REGENERATE, EventOutcome.OK, detail=f"Reason: {reason}", actor=actor)
        due = [replacement.pk] + ([previous.pk] if previous is not None else [])
        transaction.on_commit(lambda: _queue(due))
    return replacement


def _queue(meeting_ids: list[int]) -> None:
    from ..tasks import queue_meeting_work

    for meeting_id in meeting_ids:
        queue_meeting_work(meeting_id)
