"""The one caller of meeting providers: it alone writes status, attempts, errors and the audit trail.

Exactly once. A meeting row is claimed by a conditional UPDATE (pending or
failed -> creating) before any provider call, and every later write is
conditional on that same claim (status and claimed_at), so a duplicated
signal, a redelivered task or two racing workers make one meeting. The
database allows one current meeting per booking; providers receive the row's
idempotency key, and a retry after an attempt that may have reached the
vendor looks for that meeting (provider.find) before creating again.

Provider calls are never made inside a database transaction: a slow vendor
must not hold row locks. Each step that writes is atomic on its own.

Failures. A transient error puts the meeting back to pending and raises
RetryLater for the task to retry with backoff. A permanent error, a refused
credential, or the last attempt moves the booking to the clinic's fallback
provider (then the self-hosted rooms), marked as a fallback with a reason a
practitioner can read.
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from bookings.models import Booking, BookingStatus

from .calls import call_provider, describe
from .models import (
    EventAction,
    EventOutcome,
    JoinLink,
    JoinRole,
    Meeting,
    MeetingStatus,
    join_link_for,
    record_event,
    settings_for,
)
from .providers.base import MeetingProvider, MeetingProviderError, MeetingRecord, MeetingRequest
from .registry import provider_label
from .selection import fallback_keys_for, provider_for, provider_key_for
from .signals import provider_credentials_rejected

logger = logging.getLogger(__name__)

# Keys a provider might echo back that hold a credential or a host link; never stored in `raw`.
SECRET_KEYS = frozenset(
    {
        "start_url",
        "password",
        "passcode",
        "h323_password",
        "pstn_password",
        "encrypted_password",
        "jwt",
        "token",
        "access_token",
        "refresh_token",
        "host_url",
        "startUrl",
    }
)
# How long an update waits for a meeting that is still being created.
CREATING_RETRY_SECONDS = 10.0


class MeetingError(Exception):
    """An action on a booking's meeting that cannot be done, in words for the person who asked."""


class RetryLater(Exception):
    """A transient provider failure: the task should try again, not before `retry_after` seconds if given."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def max_attempts() -> int:
    return max(1, settings.MEETINGS_MAX_ATTEMPTS)


def meeting_request_for(booking: Booking, *, idempotency_key: str) -> MeetingRequest:
    """What providers are told about a booking: its time and a title without the patient's name."""
    config = settings_for(booking.clinic)
    return MeetingRequest(
        booking=booking,
        idempotency_key=idempotency_key,
        title=f"{booking.service.name} with {booking.practitioner.display_name}",
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        timezone=booking.clinic.timezone,
        settings={**booking.service.meeting_settings, "send_provider_invites": config.send_provider_invites},
    )


def needs_meeting(booking: Booking) -> bool:
    return booking.is_online and booking.status == BookingStatus.CONFIRMED


def current_meeting(booking_id: int) -> Meeting | None:
    return Meeting.objects.filter(booking_id=booking_id, is_current=True).first()


def _load_booking(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related("clinic", "service", "practitioner", "practitioner__membership")
        .filter(pk=booking_id)
        .first()
    )


def _load_meeting(meeting_id: int) -> Meeting | None:
    return (
        Meeting.objects.select_related(
            "booking__clinic", "booking__service", "booking__practitioner", "booking__practitioner__membership"
        )
        .filter(pk=meeting_id)
        .first()
    )


def _record_of(meeting: Meeting) -> MeetingRecord:
    return MeetingRecord(
        external_id=meeting.external_id,
        join_url=meeting.join_url,
        host_url=meeting.host_url,
        passcode=meeting.passcode,
        raw=meeting.raw,
    )


def _without_secrets(raw: Any) -> Any:
    if isinstance(raw, dict):
        return {key: _without_secrets(value) for key, value in raw.items() if key not in SECRET_KEYS}
    if isinstance(raw, list):
        return [_without_secrets(item) for item in raw]
    return raw


def _stored_fields(record: MeetingRecord, request: MeetingRequest) -> dict[str, Any]:
    return {
        "external_id": record.external_id,
        "join_url": record.join_url,
        "host_url": record.host_url or record.join_url,
        "passcode": record.passcode,
        "raw": _without_secrets(record.raw),
        "scheduled_starts_at": request.starts_at,
        "scheduled_ends_at": request.ends_at,
        "last_error": "",
    }


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


def _provider_or_audit(meeting: Meeting, action: str, actor: str) -> MeetingProvider:
    try:
        return provider_for(meeting.booking, meeting.provider)
    except MeetingProviderError as exc:
        record_event(
            booking_id=meeting.booking_id,
            meeting_id=meeting.pk,
            action=action,
            provider=meeting.provider,
            outcome=EventOutcome.ERROR,
            error=describe(exc),
            actor=actor,
        )
        raise


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
    from .tasks import create_meeting, retire_meeting

    create_meeting.delay(booking_id)
    if previous_id is not None:
        retire_meeting.delay(previous_id)
