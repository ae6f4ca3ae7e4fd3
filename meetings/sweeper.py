"""The periodic repair that makes a confirmed online booking without a link (nearly) impossible.

The due pass runs what rows say is owed; this finds what no row says yet: a
confirmed online booking without a meeting row (confirmed before the row was
written with it), a current meeting whose time no longer matches its booking,
a failed or retired meeting nobody has scheduled. It marks such rows due now;
the due pass does the work. It also logs loudly any booking about to start
without a working link.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from bookings.models import BookingStatus

from .models import Meeting, MeetingStatus
from .selectors import awaiting_deletion, confirmed_online_without_link
from .services import meeting_ensure_for_booking

logger = logging.getLogger(__name__)


@dataclass
class SweepReport:
    to_create: list[int] = field(default_factory=list)  # booking ids
    to_update: list[int] = field(default_factory=list)  # booking ids
    to_retire: list[int] = field(default_factory=list)  # meeting ids
    urgent: list[int] = field(default_factory=list)  # booking ids starting soon with no link


def meetings_sweep(*, now: datetime | None = None) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    horizon = now + timedelta(hours=settings.MEETINGS_SWEEP_HORIZON_HOURS)
    urgent_until = now + timedelta(minutes=settings.MEETINGS_URGENT_MINUTES)
    for booking in confirmed_online_without_link(now=now, until=horizon).only("pk", "starts_at"):
        current = Meeting.objects.current_for(booking.pk)
        urgent = booking.starts_at <= urgent_until
        if urgent:
            report.urgent.append(booking.pk)
            logger.error(
                "Booking %s starts at %s UTC and has no working meeting link (meeting status: %s).",
                booking.pk,
                booking.starts_at.isoformat(),
                current.status if current else "none",
            )
        if current is None:
            meeting_ensure_for_booking(booking_id=booking.pk)
            report.to_create.append(booking.pk)
        elif _make_due(Meeting.objects.filter(pk=current.pk), now=now, hurry=urgent):
            report.to_create.append(booking.pk)
    drifted = _drifted(now=now, until=horizon)
    report.to_update = list(drifted.values_list("booking_id", flat=True))
    _make_due(drifted, now=now, hurry=False)
    leftovers = awaiting_deletion().filter(next_attempt_at__isnull=True)
    report.to_retire = list(leftovers.values_list("pk", flat=True))
    _make_due(leftovers, now=now, hurry=False)
    return report


def _make_due(meetings: QuerySet[Meeting], *, now: datetime, hurry: bool) -> int:
    """Rows with nothing scheduled become due now; with `hurry`, so do rows waiting out a backoff."""
    waiting = Q(next_attempt_at__isnull=True) | (Q(next_attempt_at__gt=now) if hurry else Q(pk__in=[]))
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    return meetings.filter(waiting, free).update(next_attempt_at=now)


def _drifted(*, now: datetime, until: datetime) -> QuerySet[Meeting]:
    """Active current meetings that were told another time than their booking has now."""
    return Meeting.objects.filter(
        is_current=True,
        status=MeetingStatus.ACTIVE,
        booking__status=BookingStatus.CONFIRMED,
        booking__is_online=True,
        booking__ends_at__gt=now,
        booking__starts_at__lte=until,
    ).filter(~Q(scheduled_starts_at=F("booking__starts_at")) | ~Q(scheduled_ends_at=F("booking__ends_at")))
