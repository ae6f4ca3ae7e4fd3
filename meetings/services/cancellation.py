"""Cancelling a booking's meeting, retiring replaced ones at their provider, and regenerating."""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bookings.models import Booking, BookingStatus

from ..calls import call_provider, describe
from ..models import (
    EventAction,
    EventOutcome,
    JoinLink,
    Meeting,
    MeetingStatus,
    record_event,
)
from ..providers.base import MeetingProviderError
from ..selection import provider_key_for
from .common import (
    MeetingError,
    RetryLater,
    _load_booking,
    _load_meeting,
    _provider_or_audit,
    _record_of,
    needs_meeting,
)

logger = logging.getLogger(__name__)


# --- Cancelling, retiring, regenerating ------------------------------------------------------------


def meeting_cancel_for_booking(*, booking_id: int, is_last_attempt: bool = False, actor: str = "worker") -> int:
    """Cancel a cancelled booking's meeting, revoke its join links, and delete it at the provider.

    Returns how many meetings were deleted at their provider. Raises RetryLater
    when a deletion failed transiently (the cancellation itself is already recorded).
    """
    booking = _load_booking(booking_id)
    if booking is None or booking.status != BookingStatus.CANCELLED:
        return 0
    now = timezone.now()
    JoinLink.objects.filter(booking_id=booking_id, revoked_at__isnull=True).update(revoked_at=now)
    for meeting in Meeting.objects.filter(booking_id=booking_id, is_current=True).exclude(
        status=MeetingStatus.CANCELLED
    ):
        # Whatever it is doing: a worker still creating it sees the cancellation and removes what it made.
        if (
            Meeting.objects.filter(pk=meeting.pk)
            .exclude(status=MeetingStatus.CANCELLED)
            .update(status=MeetingStatus.CANCELLED, cancelled_at=now, updated_at=now)
        ):
            record_event(
                booking_id=booking_id,
                meeting_id=meeting.pk,
                action=EventAction.STATUS,
                provider=meeting.provider,
                outcome=EventOutcome.OK,
                detail="Booking cancelled.",
                actor=actor,
            )
    return _retire_all(_awaiting_deletion(booking_id), is_last_attempt=is_last_attempt, actor=actor)


def _awaiting_deletion(booking_id: int) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(booking_id=booking_id, provider_deleted_at__isnull=True)
        .exclude(external_id="")
        .exclude(status=MeetingStatus.ACTIVE, is_current=True)
        .exclude(status=MeetingStatus.CREATING)
    )


def _retire_all(meetings: Iterable[Meeting], *, is_last_attempt: bool, actor: str) -> int:
    deleted = 0
    transient: MeetingProviderError | None = None
    for meeting in meetings:
        try:
            deleted += _delete_at_provider(meeting, actor)
        except MeetingProviderError as exc:
            if not exc.permanent:
                transient = exc
    if transient is not None and not is_last_attempt:
        raise RetryLater(describe(transient), retry_after=transient.retry_after)
    return deleted


def _delete_at_provider(meeting: Meeting, actor: str) -> int:
    meeting = _load_meeting(meeting.pk) or meeting
    provider = _provider_or_audit(meeting, EventAction.DELETE, actor)
    call_provider(
        meeting=meeting, action=EventAction.DELETE, actor=actor, call=lambda: provider.delete(_record_of(meeting))
    )
    return Meeting.objects.filter(pk=meeting.pk, provider_deleted_at__isnull=True).update(
        provider_deleted_at=timezone.now()
    )


def meeting_retire(*, meeting_id: int, is_last_attempt: bool = False, actor: str = "worker") -> int:
    """Delete a replaced, failed or cancelled meeting at its provider (the booking has moved on from it)."""
    meeting = Meeting.objects.filter(pk=meeting_id).only("booking_id").first()
    if meeting is None:
        return 0
    return _retire_all(
        _awaiting_deletion(meeting.booking_id).filter(pk=meeting_id), is_last_attempt=is_last_attempt, actor=actor
    )


def _retire_quietly(meeting_id: int, actor: str) -> None:
    try:
        meeting_retire(meeting_id=meeting_id, is_last_attempt=True, actor=actor)
    except MeetingProviderError:
        logger.warning("Meeting %s could not be deleted at its provider; the sweeper will try again.", meeting_id)


def meeting_regenerate(*, booking_id: int, actor: str, reason: str) -> Meeting:
    """Replace the booking's meeting with a new one, keeping the old one as history.

    The old meeting is deleted at its provider and the new one created by the
    worker once this commits; join links stay the same.
    """
    reason = reason.strip()
    if not reason:
        raise MeetingError("Say why the meeting is being regenerated.")
    with transaction.atomic():
        booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
        if booking is None or not needs_meeting(booking):
            raise MeetingError("Only a confirmed online booking has a meeting to regenerate.")
        previous = Meeting.objects.select_for_update().filter(booking_id=booking_id, is_current=True).first()
        now = timezone.now()
        if previous is not None:
            Meeting.objects.filter(pk=previous.pk).update(
                status=MeetingStatus.CANCELLED, is_current=False, cancelled_at=now, updated_at=now
            )
        replacement = Meeting.objects.create(booking=booking, provider=provider_key_for(booking))
        record_event(
            booking_id=booking_id,
            meeting_id=replacement.pk,
            action=EventAction.REGENERATE,
            provider=replacement.provider,
            outcome=EventOutcome.OK,
            detail=f"Reason: {reason}",
            actor=actor,
        )
        transaction.on_commit(lambda: _queue_after_regenerate(booking_id, previous.pk if previous else None))
    return replacement


def _queue_after_regenerate(booking_id: int, previous_id: int | None) -> None:
    from ..tasks import create_meeting, retire_meeting

    create_meeting.delay(booking_id)
    if previous_id is not None:
        retire_meeting.delay(previous_id)
