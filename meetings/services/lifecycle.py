"""Creating a booking's meeting, falling back when its provider fails, and moving it on reschedule."""

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from bookings.models import Booking, BookingStatus

from ..calls import call_provider, describe
from ..models import (
    EventAction,
    EventOutcome,
    JoinRole,
    Meeting,
    MeetingStatus,
    join_link_for,
    record_event,
)
from ..providers.base import MeetingProvider, MeetingProviderError, MeetingRecord, MeetingRequest
from ..registry import provider_label
from ..selection import fallback_keys_for, provider_key_for
from ..signals import provider_credentials_rejected
from .cancellation import (
    _retire_quietly,
)
from .common import (
    RetryLater,
    _load_booking,
    _load_meeting,
    _provider_or_audit,
    _record_of,
    _stored_fields,
    current_meeting,
    max_attempts,
    meeting_request_for,
    needs_meeting,
)

logger = logging.getLogger(__name__)

# How long an update waits for a meeting that is still being created.
CREATING_RETRY_SECONDS = 10.0


# --- Creating ---------------------------------------------------------------------------


def meeting_ensure_for_booking(*, booking_id: int) -> Meeting | None:
    """The booking's current meeting, made pending if it has none; None if the booking needs no meeting.

    Two callers racing both get the same row: the database admits one current meeting per booking.
    """
    booking = _load_booking(booking_id)
    if booking is None or not needs_meeting(booking):
        return None
    for role in JoinRole.values:
        join_link_for(booking, role)
    existing = current_meeting(booking_id)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(booking=booking, provider=provider_key_for(booking))
    except IntegrityError:
        return current_meeting(booking_id)
    record_event(
        booking_id=booking_id,
        meeting_id=meeting.pk,
        action=EventAction.STATUS,
        provider=meeting.provider,
        outcome=EventOutcome.OK,
        detail="Meeting requested.",
    )
    return meeting


def meeting_create(*, meeting_id: int, is_last_attempt: bool, actor: str = "worker") -> Meeting | None:
    """Create the meeting at its provider, once. Returns the active meeting, or None if nothing was done here.

    Raises RetryLater on a transient failure that is not the last attempt.
    """
    return _create(meeting_id, is_last_attempt=is_last_attempt, actor=actor, tried=set())


def _claim_for_creation(meeting_id: int) -> datetime | None:
    now = timezone.now()
    claimed = Meeting.objects.filter(
        pk=meeting_id, is_current=True, status__in=(MeetingStatus.PENDING, MeetingStatus.FAILED)
    ).update(status=MeetingStatus.CREATING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now)
    return now if claimed else None


def _create(meeting_id: int, *, is_last_attempt: bool, actor: str, tried: set[str]) -> Meeting | None:
    meeting = _load_meeting(meeting_id)
    if meeting is None:
        return None
    if not needs_meeting(meeting.booking):
        if meeting.booking.status == BookingStatus.CANCELLED:
            # Made just as the booking was cancelled: it must not linger as pending.
            Meeting.objects.filter(pk=meeting_id, status=MeetingStatus.PENDING).update(
                status=MeetingStatus.CANCELLED, cancelled_at=timezone.now()
            )
        return None
    claimed_at = _claim_for_creation(meeting_id)
    if claimed_at is None:
        return None
    meeting.refresh_from_db(fields=["status", "attempts", "claimed_at"])
    record_event(
        booking_id=meeting.booking_id,
        meeting_id=meeting.pk,
        action=EventAction.CLAIM,
        provider=meeting.provider,
        outcome=EventOutcome.OK,
        detail=f"Attempt {meeting.attempts} of {max_attempts()}.",
        actor=actor,
    )
    booking = meeting.booking
    request = meeting_request_for(booking, idempotency_key=str(meeting.idempotency_key))
    try:
        provider = _provider_or_audit(meeting, EventAction.CREATE, actor)
        record = None
        # An earlier attempt may have reached the vendor even though we never saw its answer.
        if meeting.attempts > 1:
            record = call_provider(
                meeting=meeting, action=EventAction.FIND, actor=actor, call=lambda: provider.find(request)
            )
        if record is None:
            record = call_provider(
                meeting=meeting, action=EventAction.CREATE, actor=actor, call=lambda: provider.create(request)
            )
    except MeetingProviderError as exc:
        last = is_last_attempt or meeting.attempts >= max_attempts()
        return _after_failure(
            meeting, {"status": MeetingStatus.CREATING, "claimed_at": claimed_at}, exc, last, actor, tried
        )
    return _store_created(meeting, claimed_at, record, request, provider, actor)


def _store_created(
    meeting: Meeting,
    claimed_at: datetime,
    record: MeetingRecord,
    request: MeetingRequest,
    provider: MeetingProvider,
    actor: str,
) -> Meeting | None:
    stored = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.CREATING, claimed_at=claimed_at).update(
        status=MeetingStatus.ACTIVE, updated_at=timezone.now(), **_stored_fields(record, request)
    )
    if not stored:
        _discard_if_unwanted(meeting, record, provider, actor)
        return None
    record_event(
        booking_id=meeting.booking_id,
        meeting_id=meeting.pk,
        action=EventAction.STATUS,
        provider=meeting.provider,
        outcome=EventOutcome.OK,
        detail="Meeting ready.",
        actor=actor,
    )
    meeting.refresh_from_db()
    booking = meeting.booking
    booking.refresh_from_db(fields=["starts_at", "ends_at", "status"])
    if needs_meeting(booking) and (
        meeting.scheduled_starts_at != booking.starts_at or meeting.scheduled_ends_at != booking.ends_at
    ):
        # Rescheduled while we were creating: tell the provider now; the sweeper catches it if this fails.
        try:
            return _move_active(meeting, booking, is_last_attempt=False, actor=actor) or meeting
        except RetryLater:
            logger.warning("Meeting %s was created for an earlier time; the sweeper will update it.", meeting.pk)
    return meeting


def _discard_if_unwanted(meeting: Meeting, record: MeetingRecord, provider: MeetingProvider, actor: str) -> None:
    """Our claim was lost while the vendor created the meeting. Remove it if nobody wants it any more."""
    meeting.refresh_from_db(fields=["status", "is_current"])
    if meeting.status != MeetingStatus.CANCELLED:
        # Another worker holds a newer claim and will find this meeting (or the same idempotent one).
        return
    try:
        call_provider(meeting=meeting, action=EventAction.DELETE, actor=actor, call=lambda: provider.delete(record))
    except MeetingProviderError:
        logger.warning("Could not remove meeting %s, created after it was cancelled.", meeting.pk)


# --- When a provider fails -------------------------------------------------------------------


def fallback_reason(failed_provider: str, error: MeetingProviderError, attempts: int, fallback_provider: str) -> str:
    """Why a booking is on its fallback provider, in words a practitioner understands."""
    label = provider_label(failed_provider)
    if error.reconnect:
        why = f"{label} refused the connected account (reconnect it on the Integrations page)"
    elif error.status_code == 429 or error.retry_after is not None:
        why = f"{label} was rate limited"
    elif error.permanent:
        why = f"{label} refused the meeting ({error})"
    else:
        why = f"{label} kept failing after {attempts} attempt{'s' if attempts != 1 else ''}"
    return f"{why}, so a {provider_label(fallback_provider)} link was made instead."[:300]


def _tell_credentials_rejected(meeting: Meeting, error: MeetingProviderError) -> None:
    booking = meeting.booking
    provider_credentials_rejected.send_robust(
        sender=Meeting,
        provider=meeting.provider,
        clinic=booking.clinic,
        practitioner=booking.practitioner,
        error=str(error),
    )


def _after_failure(
    meeting: Meeting,
    claim: dict[str, Any],
    error: MeetingProviderError,
    is_last_attempt: bool,
    actor: str,
    tried: set[str],
) -> Meeting | None:
    if error.reconnect:
        _tell_credentials_rejected(meeting, error)
    if error.permanent or is_last_attempt:
        return _fall_back(meeting, claim, error, actor, tried | {meeting.provider})
    released = Meeting.objects.filter(pk=meeting.pk, **claim).update(
        status=MeetingStatus.PENDING, last_error=describe(error), updated_at=timezone.now()
    )
    if not released:
        return None
    record_event(
        booking_id=meeting.booking_id,
        meeting_id=meeting.pk,
        action=EventAction.RETRY,
        provider=meeting.provider,
        outcome=EventOutcome.RETRY,
        error=describe(error),
        detail=f"Retrying after {error.retry_after:g}s as asked." if error.retry_after else "",
        actor=actor,
    )
    raise RetryLater(describe(error), retry_after=error.retry_after)


def _fall_back(
    meeting: Meeting, claim: dict[str, Any], error: MeetingProviderError, actor: str, tried: set[str]
) -> Meeting | None:
    """Retire the failed meeting and give the booking a working link from the next provider in line."""
    booking = meeting.booking
    candidates = fallback_keys_for(booking, tried=tried)
    with transaction.atomic():
        if not candidates:
            # Nothing left to try: the meeting stays current and failed, and the dashboard shows it.
            if Meeting.objects.filter(pk=meeting.pk, **claim).update(
                status=MeetingStatus.FAILED, last_error=describe(error), updated_at=timezone.now()
            ):
                record_event(
                    booking_id=booking.pk,
                    meeting_id=meeting.pk,
                    action=EventAction.FALLBACK,
                    provider=meeting.provider,
                    outcome=EventOutcome.ERROR,
                    error=describe(error),
                    detail="No provider is left to try.",
                    actor=actor,
                )
                logger.error("Booking %s has no meeting link: every provider failed.", booking.pk)
            return None
        fallback_key = candidates[0]
        reason = fallback_reason(meeting.provider, error, meeting.attempts, fallback_key)
        retired = Meeting.objects.filter(pk=meeting.pk, **claim).update(
            status=MeetingStatus.FAILED, is_current=False, last_error=describe(error), updated_at=timezone.now()
        )
        if not retired:
            return None
        replacement = Meeting.objects.create(
            booking=booking, provider=fallback_key, is_fallback=True, fallback_reason=reason
        )
        record_event(
            booking_id=booking.pk,
            meeting_id=replacement.pk,
            action=EventAction.FALLBACK,
            provider=fallback_key,
            outcome=EventOutcome.OK,
            error=describe(error),
            detail=reason,
            actor=actor,
        )
    logger.warning("Booking %s fell back from %s to %s: %s", booking.pk, meeting.provider, fallback_key, reason)
    if meeting.external_id:
        _retire_quietly(meeting.pk, actor)
    # The fallback gets one go now: the booking needs a link, not another round of backoff.
    return _create(replacement.pk, is_last_attempt=True, actor=actor, tried=tried)


# --- Rescheduling -------------------------------------------------------------------------------


def meeting_update_for_reschedule(
    *, booking_id: int, is_last_attempt: bool = False, actor: str = "worker"
) -> Meeting | None:
    """Bring the booking's meeting to the booking's current time.

    A meeting not created yet is created now (at the new time); one being
    created is looked at again later (RetryLater); a provider that cannot move
    a meeting gets a new one and the old one is deleted.
    """
    booking = _load_booking(booking_id)
    if booking is None or not needs_meeting(booking):
        return None
    meeting = current_meeting(booking_id) or meeting_ensure_for_booking(booking_id=booking_id)
    if meeting is None:
        return None
    if meeting.status in (MeetingStatus.PENDING, MeetingStatus.FAILED):
        return _create(meeting.pk, is_last_attempt=is_last_attempt, actor=actor, tried=set())
    if meeting.status == MeetingStatus.CREATING:
        raise RetryLater("The meeting is still being created.", retry_after=CREATING_RETRY_SECONDS)
    if meeting.status != MeetingStatus.ACTIVE:
        return meeting
    meeting.booking = booking
    if meeting.scheduled_starts_at == booking.starts_at and meeting.scheduled_ends_at == booking.ends_at:
        return meeting
    return _move_active(meeting, booking, is_last_attempt=is_last_attempt, actor=actor)


def _move_active(meeting: Meeting, booking: Booking, *, is_last_attempt: bool, actor: str) -> Meeting | None:
    # Optimistic claim on claimed_at: the meeting stays active (its link keeps working) while it moves.
    now = timezone.now()
    if not Meeting.objects.filter(
        pk=meeting.pk, status=MeetingStatus.ACTIVE, is_current=True, claimed_at=meeting.claimed_at
    ).update(claimed_at=now):
        raise RetryLater("Another worker is moving this meeting.", retry_after=CREATING_RETRY_SECONDS)
    claim = {"status": MeetingStatus.ACTIVE, "claimed_at": now}
    request = meeting_request_for(booking, idempotency_key=str(meeting.idempotency_key))
    try:
        provider = _provider_or_audit(meeting, EventAction.UPDATE, actor)
        if not provider.supports_update:
            return _replace(meeting, claim, is_last_attempt=is_last_attempt, actor=actor)
        record = call_provider(
            meeting=meeting,
            action=EventAction.UPDATE,
            actor=actor,
            call=lambda: provider.update(_record_of(meeting), request),
        )
    except MeetingProviderError as exc:
        if exc.reconnect:
            _tell_credentials_rejected(meeting, exc)
        if exc.permanent or is_last_attempt:
            return _fall_back(meeting, claim, exc, actor, {meeting.provider})
        raise RetryLater(describe(exc), retry_after=exc.retry_after) from exc
    Meeting.objects.filter(pk=meeting.pk, **claim).update(updated_at=timezone.now(), **_stored_fields(record, request))
    meeting.refresh_from_db()
    return meeting


def _replace(meeting: Meeting, claim: dict[str, Any], *, is_last_attempt: bool, actor: str) -> Meeting | None:
    """Delete-and-create for providers that cannot move a meeting."""
    with transaction.atomic():
        if not Meeting.objects.filter(pk=meeting.pk, **claim).update(
            status=MeetingStatus.CANCELLED, is_current=False, cancelled_at=timezone.now()
        ):
            return None
        replacement = Meeting.objects.create(
            booking=meeting.booking,
            provider=meeting.provider,
            is_fallback=meeting.is_fallback,
            fallback_reason=meeting.fallback_reason,
        )
        record_event(
            booking_id=meeting.booking_id,
            meeting_id=replacement.pk,
            action=EventAction.STATUS,
            provider=meeting.provider,
            outcome=EventOutcome.OK,
            detail=f"{provider_label(meeting.provider)} cannot move a meeting: a new one replaces it.",
            actor=actor,
        )
    _retire_quietly(meeting.pk, actor)
    return _create(replacement.pk, is_last_attempt=is_last_attempt, actor=actor, tried=set())
