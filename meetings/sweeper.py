"""The periodic repair that makes a confirmed online booking without a link (nearly) impossible.

It finds what the event-driven path missed: a task lost with a broker, a
worker that died holding a claim, a reschedule that never reached the
provider, a deletion that failed. It only decides; the task queues the work.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from bookings.models import BookingStatus

from .models import EventAction, EventOutcome, Meeting, MeetingEvent, MeetingStatus, record_event
from .selectors import confirmed_online_without_link

logger = logging.getLogger(__name__)

RETIRE_PAUSE_AFTER_FAILURE = timedelta(hours=1)
STALE_CLAIM_MESSAGE = "The worker creating this meeting stopped answering; trying again."


@dataclass
class SweepReport:
    to_create: list[int] = field(default_factory=list)  # booking ids
    to_update: list[int] = field(default_factory=list)  # booking ids
    to_retire: list[int] = field(default_factory=list)  # meeting ids
    released_claims: int = 0
    urgent: list[int] = field(default_factory=list)  # booking ids starting soon with no link


def meetings_sweep(*, now: datetime | None = None) -> SweepReport:
    now = now or timezone.now()
    timeout = timedelta(seconds=settings.MEETINGS_CLAIM_TIMEOUT_SECONDS)
    released = _release_stale_claims(now=now, older_than=now - timeout)
    report = SweepReport(released_claims=len(released))
    horizon = now + timedelta(hours=settings.MEETINGS_SWEEP_HORIZON_HOURS)
    urgent_until = now + timedelta(minutes=settings.MEETINGS_URGENT_MINUTES)
    for booking in confirmed_online_without_link(now=now, until=horizon).only("pk", "starts_at"):
        current = Meeting.objects.filter(booking_id=booking.pk, is_current=True).first()
        urgent = booking.starts_at <= urgent_until
        if urgent:
            report.urgent.append(booking.pk)
            logger.error(
                "Booking %s starts at %s UTC and has no working meeting link (meeting status: %s).",
                booking.pk,
                booking.starts_at.isoformat(),
                current.status if current else "none",
            )
        if booking.pk in released or _worth_another_go(current, now=now, timeout=timeout, urgent=urgent):
            report.to_create.append(booking.pk)
    report.to_update = list(_drifted(now=now, until=horizon))
    report.to_retire = list(_awaiting_deletion(now=now, older_than=now - timeout))
    return report


def _worth_another_go(current: Meeting | None, *, now: datetime, timeout: timedelta, urgent: bool) -> bool:
    if current is None or current.status == MeetingStatus.FAILED:
        return True
    if current.status == MeetingStatus.PENDING:
        # A recent pending meeting is waiting out its retry backoff, unless time is running out.
        return urgent or current.updated_at < now - timeout
    return False


def _release_stale_claims(*, now: datetime, older_than: datetime) -> set[int]:
    """Put claims of workers that died back to pending; returns the bookings concerned."""
    released: set[int] = set()
    for meeting in Meeting.objects.filter(status=MeetingStatus.CREATING, claimed_at__lt=older_than):
        if Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.CREATING, claimed_at=meeting.claimed_at).update(
            status=MeetingStatus.PENDING, last_error=STALE_CLAIM_MESSAGE, updated_at=now
        ):
            released.add(meeting.booking_id)
            record_event(
                booking_id=meeting.booking_id,
                meeting_id=meeting.pk,
                action=EventAction.STATUS,
                provider=meeting.provider,
                outcome=EventOutcome.RETRY,
                error=STALE_CLAIM_MESSAGE,
                detail=f"Claimed at {meeting.claimed_at.isoformat()}; released by the sweeper.",
                actor="system",
            )
    return released


def _drifted(*, now: datetime, until: datetime):
    """Bookings whose active meeting was told another time than the booking has now."""
    return (
        Meeting.objects.filter(
            is_current=True,
            status=MeetingStatus.ACTIVE,
            booking__status=BookingStatus.CONFIRMED,
            booking__is_online=True,
            booking__ends_at__gt=now,
            booking__starts_at__lte=until,
        )
        .filter(~Q(scheduled_starts_at=F("booking__starts_at")) | ~Q(scheduled_ends_at=F("booking__ends_at")))
        .values_list("booking_id", flat=True)
    )


def _awaiting_deletion(*, now: datetime, older_than: datetime):
    """Meetings the booking moved on from that still exist at their provider.

    One whose deletion failed lately (say the account needs reconnecting) waits
    an hour before the next try, so the audit trail is not flooded.
    """
    failed_lately = MeetingEvent.objects.filter(
        meeting=OuterRef("pk"),
        action=EventAction.DELETE,
        outcome=EventOutcome.ERROR,
        created_at__gt=now - RETIRE_PAUSE_AFTER_FAILURE,
    )
    return (
        Meeting.objects.filter(provider_deleted_at__isnull=True, updated_at__lt=older_than)
        .filter(Q(status=MeetingStatus.CANCELLED) | Q(is_current=False, status=MeetingStatus.FAILED))
        .filter(booking__ends_at__gt=now - timedelta(days=1))
        .exclude(external_id="")
        .exclude(Exists(failed_lately))
        .values_list("pk", flat=True)
    )
