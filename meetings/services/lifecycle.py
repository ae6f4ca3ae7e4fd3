"""Creating a booking's meeting, falling back when its provider fails, and moving it on reschedule.

Creation is one loop over the chosen provider and its fallbacks: each pass
makes one attempt (look for a meeting an earlier attempt may have made, then
create), and either stores the meeting or decides what follows: a retry
scheduled on the row, or the next provider in line. Nothing here waits or
retries in the broker: a retry is `next_attempt_at` on the row.
"""

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, Q, Value, When
from django.utils import timezone

from bookings.models import Booking, BookingStatus

from ..calls import call_provider, describe
from ..models import EventAction, EventOutcome, JoinRole, Meeting, MeetingStatus, join_link_for
from ..providers.base import MeetingProvider, MeetingProviderError, MeetingRecord, MeetingRequest, NoAccountError
from ..registry import provider_label
from ..selection import fallback_keys_for, provider_for, provider_key_for
from ..signals import provider_credentials_rejected
from .announce import announce_stored
from .claims import Attempt, attempt_for, claim, lease_seconds, release
from .common import (
    answer_may_be_lost,
    backoff_seconds,
    current_meeting,
    load_booking,
    max_attempts,
    meeting_request_for,
    needs_meeting,
    provider_or_audit,
    stored_fields,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CreateOutcome:
    """What one attempt got from the provider: a meeting, or the error that stopped it."""

    request: MeetingRequest
    provider: MeetingProvider | None = None
    record: MeetingRecord | None = None
    error: MeetingProviderError | None = None


# --- The meeting row ------------------------------------------------------------------------


def meeting_ensure_for_booking(*, booking_id: int) -> Meeting | None:
    """The booking's current meeting, made pending (and due now) if it has none; None if it needs no meeting.

    Two callers racing both get the same row: the database admits one current meeting per booking.
    """
    booking = load_booking(booking_id)
    if booking is None or not needs_meeting(booking):
        return None
    return meeting_pending_for(booking)


def meeting_pending_for(booking: Booking) -> Meeting:
    """The booking's current meeting, or a new pending one due now; safe inside the caller's transaction."""
    for role in JoinRole.values:
        join_link_for(booking, role)
    existing = current_meeting(booking.pk)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                booking=booking, provider=provider_key_for(booking), next_attempt_at=timezone.now()
            )
    except IntegrityError:
        return Meeting.objects.get(booking_id=booking.pk, is_current=True)
    meeting.audit(EventAction.STATUS, EventOutcome.OK, detail="Meeting requested.")
    return meeting


# --- Creating: one loop over the chosen provider and its fallbacks ---------------------------------


def meeting_create(*, meeting_id: int, is_last_attempt: bool = False, actor: str = "worker") -> Meeting | None:
    """Create the meeting at its provider, once. Returns the meeting made, or None if none was made now.

    A transient failure schedules the next attempt on the row; `is_last_attempt`
    falls back at once instead, as the last scheduled attempt does.
    """
    return _create_until_settled(_begin(meeting_id, actor=actor, is_last=is_last_attempt))


def _create_until_settled(attempt: Attempt | None, *, retired: tuple[int, ...] = ()) -> Meeting | None:
    """The loop: attempt, then store, schedule a retry, or move on to the next provider in line."""
    made: Meeting | None = None
    actor = attempt.actor if attempt is not None else "worker"
    gone = list(retired)
    while attempt is not None:
        outcome = _try_create(attempt)
        if outcome.record is not None:
            made = _store_created(attempt, outcome)
            break
        assert outcome.error is not None
        if not _falls_back(attempt, outcome.error):
            _schedule_retry(attempt, outcome.error)
            break
        gone.append(attempt.meeting.pk)
        attempt = _fall_back(attempt, outcome.error)
    _retire_now(gone, actor=actor)
    return made


def _begin(meeting_id: int, *, actor: str, is_last: bool) -> Attempt | None:
    meeting = Meeting.objects.select_related("booking").filter(pk=meeting_id).first()
    if meeting is None:
        return None
    if not needs_meeting(meeting.booking):
        if meeting.booking.status == BookingStatus.CANCELLED:
            # Made just as the booking was cancelled: it must not linger as pending.
            Meeting.objects.filter(pk=meeting_id, status=MeetingStatus.PENDING).update(
                status=MeetingStatus.CANCELLED, cancelled_at=timezone.now(), next_attempt_at=None
            )
        return None
    claimed_at = claim(meeting_id, creating=True)
    if claimed_at is None:
        return None
    attempt = attempt_for(meeting_id, claimed_at, actor=actor)
    if is_last:
        attempt = replace(attempt, is_last=True)
    attempt.meeting.audit(
        EventAction.CLAIM,
        EventOutcome.OK,
        detail=f"Attempt {attempt.meeting.attempts} of {max_attempts()}.",
        actor=actor,
    )
    return attempt


def _try_create(attempt: Attempt) -> CreateOutcome:
    """Look for a meeting an earlier attempt may have made, else create one; a lost answer is remembered."""
    meeting = attempt.meeting
    request = meeting_request_for(meeting.booking, idempotency_key=str(meeting.idempotency_key))
    try:
        provider = provider_or_audit(meeting, EventAction.CREATE, attempt.actor)
    except MeetingProviderError as exc:
        return CreateOutcome(request=request, error=exc)
    try:
        if meeting.answer_lost or meeting.attempts > 1:
            found = _find(meeting, provider, request, attempt.actor)
            if found is not None:
                return CreateOutcome(request=request, provider=provider, record=found)
        record = call_provider(
            meeting=meeting, action=EventAction.CREATE, actor=attempt.actor, call=lambda: provider.create(request)
        )
        return CreateOutcome(request=request, provider=provider, record=record)
    except MeetingProviderError as exc:
        error = exc
    if answer_may_be_lost(error):
        _remember_lost_answer(meeting)
        if attempt.is_last:
            # The last attempt's answer was lost: the vendor may have made the meeting after all.
            found = _find_quietly(meeting, provider, request, attempt.actor)
            if found is not None:
                return CreateOutcome(request=request, provider=provider, record=found)
    return CreateOutcome(request=request, provider=provider, error=error)


def _find_quietly(
    meeting: Meeting, provider: MeetingProvider, request: MeetingRequest, actor: str
) -> MeetingRecord | None:
    try:
        return _find(meeting, provider, request, actor)
    except MeetingProviderError:
        return None  # the retired row remembers the lost answer; its deletion looks again


def _find(meeting: Meeting, provider: MeetingProvider, request: MeetingRequest, actor: str) -> MeetingRecord | None:
    return call_provider(meeting=meeting, action=EventAction.FIND, actor=actor, call=lambda: provider.find(request))


def _remember_lost_answer(meeting: Meeting) -> None:
    # Not conditional on the claim: whoever holds the row next must look before creating or forgetting it.
    Meeting.objects.filter(pk=meeting.pk).update(answer_lost=True)
    meeting.answer_lost = True


def _store_created(attempt: Attempt, outcome: CreateOutcome) -> Meeting | None:
    assert outcome.record is not None
    meeting = attempt.meeting
    with transaction.atomic():
        stored = Meeting.objects.filter(attempt.token, status=MeetingStatus.CREATING).update(
            status=MeetingStatus.ACTIVE,
            lease_expires_at=None,
            next_attempt_at=None,
            answer_lost=False,
            step_failures=0,
            updated_at=timezone.now(),
            **stored_fields(outcome.record, outcome.request),
        )
        if stored:
            meeting.refresh_from_db()
            meeting.audit(EventAction.STATUS, EventOutcome.OK, detail="Meeting ready.", actor=attempt.actor)
            announce_stored(meeting)
            _make_move_due_if_drifted(meeting)
    if not stored:
        _keep_for_deletion(attempt, outcome)
        return None
    return meeting


def _make_move_due_if_drifted(meeting: Meeting) -> None:
    """Rescheduled while we were creating: the move is due now."""
    booking = Booking.objects.only("starts_at", "ends_at").get(pk=meeting.booking_id)
    if (meeting.scheduled_starts_at, meeting.scheduled_ends_at) != (booking.starts_at, booking.ends_at):
        Meeting.objects.filter(pk=meeting.pk).update(next_attempt_at=timezone.now())


def _keep_for_deletion(attempt: Attempt, outcome: CreateOutcome) -> None:
    """Our claim was lost while the vendor made the meeting (the booking was cancelled, or the lease ran out).

    A cancelled row keeps the vendor's id and is deleted now (or by the next pass);
    a row another worker claimed is left to it: it looks before it creates.
    """
    assert outcome.record is not None and outcome.provider is not None
    now = timezone.now()
    kept = Meeting.objects.filter(attempt.token, status=MeetingStatus.CANCELLED).update(
        external_id=outcome.record.external_id, lease_expires_at=None, next_attempt_at=now, updated_at=now
    )
    if kept:
        from .cancellation import meeting_retire

        meeting_retire(meeting_id=attempt.meeting.pk, actor=attempt.actor)


# --- When an attempt fails -----------------------------------------------------------------------


def fallback_reason(failed_provider: str, error: MeetingProviderError, attempts: int, fallback_provider: str) -> str:
    """Why a booking is on its fallback provider, in words a practitioner understands.

    A clause without a full stop: the pages, banners and messages showing it end the sentence themselves.
    """
    label = provider_label(failed_provider)
    if isinstance(error, NoAccountError):
        why = str(error)  # it names whose account is missing; no vendor refused anything
    elif error.reconnect:
        why = f"{label} refused the connected account (it must be reconnected on the Integrations page)"
    elif error.status_code == 429 or error.retry_after is not None:
        why = f"{label} was rate limited"
    elif error.permanent:
        why = f"{label} refused the meeting ({error})"
    else:
        why = f"{label} kept failing after {attempts} attempt{'s' if attempts != 1 else ''}"
    return f"{why}, so a {provider_label(fallback_provider)} link was made instead"[:300]


def _tell_credentials_rejected(meeting: Meeting, error: MeetingProviderError) -> None:
    booking = meeting.booking
    provider_credentials_rejected.send_robust(
        sender=Meeting,
        provider=meeting.provider,
        clinic=booking.clinic,
        practitioner=booking.practitioner,
        error=str(error),
    )


def _falls_back(attempt: Attempt, error: MeetingProviderError) -> bool:
    if error.reconnect:
        _tell_credentials_rejected(attempt.meeting, error)
    return error.permanent or attempt.is_last


def _schedule_retry(attempt: Attempt, error: MeetingProviderError) -> None:
    wait = backoff_seconds(attempt.meeting.attempts - 1, error.retry_after)
    released = Meeting.objects.filter(attempt.token, status=MeetingStatus.CREATING).update(
        status=MeetingStatus.PENDING,
        last_error=describe(error),
        lease_expires_at=None,
        next_attempt_at=timezone.now() + timedelta(seconds=wait),
        updated_at=timezone.now(),
    )
    if not released:
        _hand_back(attempt)
        return
    asked = f" as {provider_label(attempt.meeting.provider)} asked" if error.retry_after else ""
    attempt.meeting.audit(
        EventAction.RETRY,
        EventOutcome.RETRY,
        error=describe(error),
        detail=f"Next attempt in {wait:.1f}s{asked}.",
        actor=attempt.actor,
    )


def _hand_back(attempt: Attempt) -> None:
    """The row changed under us (cancelled): give the lease back so its deletion can run now."""
    now = timezone.now()
    Meeting.objects.filter(attempt.token).update(lease_expires_at=None, next_attempt_at=now, updated_at=now)


def _owed_at_vendor(now: datetime) -> Case:
    """next_attempt_at for a retired row: due now when the vendor may still hold it, else nothing owed."""
    return Case(
        When(Q(answer_lost=True) | ~Q(external_id=""), then=Value(now)), default=None, output_field=DateTimeField()
    )


def _fall_back(attempt: Attempt, error: MeetingProviderError) -> Attempt | None:
    """Retire the failed meeting and claim a replacement at the next provider in line (None: none is left)."""
    meeting = attempt.meeting
    booking = meeting.booking
    tried = attempt.tried | {meeting.provider}
    candidates = fallback_keys_for(booking, tried=set(tried))
    now = timezone.now()
    with transaction.atomic():
        if not candidates:
            # Nothing left to try: the meeting stays current and failed, the dashboard shows it, and the
            # row is tried again after the longest backoff.
            if Meeting.objects.filter(attempt.token, status=MeetingStatus.CREATING).update(
                status=MeetingStatus.FAILED,
                last_error=describe(error),
                lease_expires_at=None,
                next_attempt_at=now + timedelta(seconds=settings.MEETINGS_RETRY_CAP_SECONDS),
                updated_at=now,
            ):
                meeting.audit(
                    EventAction.FALLBACK,
                    EventOutcome.ERROR,
                    error=describe(error),
                    detail="No provider is left to try.",
                    actor=attempt.actor,
                )
                logger.error("Booking %s has no meeting link: every provider failed.", booking.pk)
            else:
                _hand_back(attempt)
            return None
        fallback_key = candidates[0]
        reason = fallback_reason(meeting.provider, error, meeting.attempts, fallback_key)
        # CREATING for a failed create, ACTIVE for a meeting that could not be moved.
        retired = Meeting.objects.filter(
            attempt.token, status__in=(MeetingStatus.CREATING, MeetingStatus.ACTIVE)
        ).update(
            status=MeetingStatus.FAILED,
            is_current=False,
            last_error=describe(error),
            lease_expires_at=None,
            next_attempt_at=_owed_at_vendor(now),
            updated_at=now,
        )
        if not retired:
            _hand_back(attempt)
            return None
        lease_end = now + timedelta(seconds=lease_seconds())
        replacement = Meeting.objects.create(
            booking=booking,
            provider=fallback_key,
            is_fallback=True,
            fallback_reason=reason,
            change_reason=reason,
            status=MeetingStatus.CREATING,
            attempts=1,
            claimed_at=now,
            lease_expires_at=lease_end,
            next_attempt_at=lease_end,
        )
        replacement.audit(
            EventAction.FALLBACK, EventOutcome.OK, error=describe(error), detail=reason, actor=attempt.actor
        )
    logger.warning("Booking %s fell back from %s to %s: %s", booking.pk, meeting.provider, fallback_key, reason)
    # The fallback gets one go now: the booking needs a link, not another round of backoff.
    return attempt_for(replacement.pk, now, actor=attempt.actor, tried=frozenset(tried))


def _retire_now(meeting_ids: list[int], *, actor: str) -> None:
    """Remove what failed providers may still hold; what fails now stays due for the next pass."""
    from .cancellation import meeting_retire

    for meeting_id in meeting_ids:
        meeting_retire(meeting_id=meeting_id, actor=actor)


# --- Rescheduling ----------------------------------------------------------------------------------


def _drifted(meeting: Meeting, booking: Booking) -> bool:
    return (meeting.scheduled_starts_at, meeting.scheduled_ends_at) != (booking.starts_at, booking.ends_at)


def _links_outdated(meeting: Meeting, booking: Booking) -> bool:
    """The links were made under provider settings that changed since (a room server's secret set later)."""
    try:
        return provider_for(booking, meeting.provider).links_outdated(meeting.as_record())
    except MeetingProviderError:
        return False  # a provider that cannot load now is the move's problem, reported there


def meeting_update_for_reschedule(
    *, booking_id: int, is_last_attempt: bool = False, actor: str = "worker"
) -> Meeting | None:
    """Bring the booking's meeting to the booking's current time, and its links to the current settings.

    A meeting not created yet is created now (at the new time); one being
    created is moved by its creator once stored (it sees the new time); a move
    that fails for good falls back to a new meeting at the next provider.
    """
    booking = load_booking(booking_id)
    if booking is None or not needs_meeting(booking):
        return None
    meeting = current_meeting(booking_id) or meeting_ensure_for_booking(booking_id=booking_id)
    if meeting is None:
        return None
    if meeting.status in (MeetingStatus.PENDING, MeetingStatus.FAILED):
        return meeting_create(meeting_id=meeting.pk, is_last_attempt=is_last_attempt, actor=actor)
    if meeting.status != MeetingStatus.ACTIVE:
        return meeting
    if not _drifted(meeting, booking) and not _links_outdated(meeting, booking):
        Meeting.objects.filter(pk=meeting.pk, lease_expires_at__isnull=True).update(next_attempt_at=None)
        return meeting
    claimed_at = claim(meeting.pk, creating=False)
    if claimed_at is None:
        return meeting  # another worker holds it; the row stays due
    attempt = attempt_for(meeting.pk, claimed_at, actor=actor)
    return _move(attempt, booking, is_last=is_last_attempt)


def meeting_renew_links(*, booking_id: int, actor: str = "worker") -> Meeting | None:
    """Fresh links from the provider for the booking's working meeting, in the same room.

    Links carry the clinic's settings of the moment they were made: a room made
    before its server's credentials were set stays open until renewed.
    """
    booking = load_booking(booking_id)
    meeting = current_meeting(booking_id)
    if booking is None or meeting is None or meeting.status != MeetingStatus.ACTIVE:
        return meeting
    claimed_at = claim(meeting.pk, creating=False)
    if claimed_at is None:
        return meeting  # another worker holds it
    return _move(attempt_for(meeting.pk, claimed_at, actor=actor), booking, is_last=True)


def _move(attempt: Attempt, booking: Booking, *, is_last: bool) -> Meeting | None:
    meeting = attempt.meeting
    request = meeting_request_for(booking, idempotency_key=str(meeting.idempotency_key))
    try:
        provider = provider_or_audit(meeting, EventAction.UPDATE, attempt.actor)
        record = call_provider(
            meeting=meeting,
            action=EventAction.UPDATE,
            actor=attempt.actor,
            call=lambda: provider.update(meeting.as_record(), request),
        )
    except MeetingProviderError as exc:
        failures = meeting.step_failures + 1
        if exc.reconnect:
            _tell_credentials_rejected(meeting, exc)
        if not (exc.permanent or is_last or failures >= max_attempts()):
            wait = backoff_seconds(failures - 1, exc.retry_after)
            release(
                attempt,
                next_attempt_at=timezone.now() + timedelta(seconds=wait),
                step_failures=failures,
                last_error=describe(exc),
            )
            return meeting
        return _replace_after_failed_move(attempt, exc)
    with transaction.atomic():
        release(attempt, next_attempt_at=None, step_failures=0, **stored_fields(record, request))
        meeting.refresh_from_db()
        _make_move_due_if_drifted(meeting)
    return meeting


def _replace_after_failed_move(attempt: Attempt, error: MeetingProviderError) -> Meeting | None:
    """A meeting that cannot be moved is replaced by one at the next provider, at the new time."""
    replacement = _fall_back(replace(attempt, is_last=True), error)
    return _create_until_settled(replacement, retired=(attempt.meeting.pk,))
