"""Short leases on meeting rows: who may talk to the provider about a meeting, and until when.

A claim is a conditional UPDATE that succeeds only when no live lease exists;
the new `claimed_at` is the claim's token, and every later write is conditional
on it. The lease lasts MEETINGS_LEASE_SECONDS (longer than one provider call),
and `next_attempt_at` is set to its end, so a worker that dies mid-call leaves a
row that is due again the moment its lease runs out.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.utils import timezone

from ..models import Meeting, MeetingStatus
from .common import load_meeting, max_attempts


def lease_seconds() -> float:
    return float(settings.MEETINGS_LEASE_SECONDS)


def free_of_leases(now: datetime) -> Q:
    return Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)


@dataclass(frozen=True)
class Attempt:
    """One worker's go at one meeting row, from its claim until its outcome is stored."""

    meeting: Meeting
    claimed_at: datetime
    actor: str
    # A failure now falls back to the next provider instead of being retried later.
    is_last: bool
    # Providers that already failed this booking, so a fallback never loops back to one of them.
    tried: frozenset[str] = field(default_factory=frozenset)

    @property
    def token(self) -> Q:
        """Matches the row only while this attempt's claim is the latest."""
        return Q(pk=self.meeting.pk, claimed_at=self.claimed_at)


def claim(meeting_id: int, *, creating: bool) -> datetime | None:
    """Take the lease on a meeting row; for a create, also move it to `creating` and count the attempt."""
    now = timezone.now()
    until = now + timedelta(seconds=lease_seconds())
    rows = Meeting.objects.filter(free_of_leases(now), pk=meeting_id)
    changes: dict[str, object] = {
        "claimed_at": now,
        "lease_expires_at": until,
        "next_attempt_at": until,
        "updated_at": now,
    }
    if creating:
        rows = rows.filter(
            is_current=True, status__in=(MeetingStatus.PENDING, MeetingStatus.CREATING, MeetingStatus.FAILED)
        )
        changes.update(status=MeetingStatus.CREATING, attempts=F("attempts") + 1)
    return now if rows.update(**changes) else None


def attempt_for(meeting_id: int, claimed_at: datetime, *, actor: str, tried: frozenset[str] = frozenset()) -> Attempt:
    meeting = load_meeting(meeting_id)
    if meeting is None:
        raise Meeting.DoesNotExist(meeting_id)
    is_last = meeting.is_fallback or meeting.attempts >= max_attempts()
    return Attempt(meeting=meeting, claimed_at=claimed_at, actor=actor, is_last=is_last, tried=tried)


def release(attempt: Attempt, *, next_attempt_at: datetime | None, deleted: bool = False, **changes: object) -> bool:
    """Store `changes` and give the lease back, if this attempt still holds the row.

    A row cancelled meanwhile keeps its deletion due, unless this attempt is the deletion (`deleted`).
    """
    now = timezone.now()
    due: object = Value(next_attempt_at, output_field=DateTimeField())
    if not deleted:
        owed = Q(status=MeetingStatus.CANCELLED, provider_deleted_at__isnull=True) & (
            Q(answer_lost=True) | ~Q(external_id="")
        )
        due = Case(When(owed, then=Value(now)), default=due, output_field=DateTimeField())
    return bool(
        Meeting.objects.filter(attempt.token).update(
            lease_expires_at=None, next_attempt_at=due, updated_at=now, **changes
        )
    )
