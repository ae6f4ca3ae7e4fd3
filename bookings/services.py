"""The booking lifecycle. Every transition validates, saves, and signals after commit.

pending ──approve──> confirmed ──> completed | no_show | cancelled
   └──decline──> declined
awaiting_payment ──paid──> confirmed
   └──hold expires──> expired
pending, awaiting_payment and confirmed bookings can be cancelled or rescheduled.
Rescheduling keeps the booking (same token, same UID) and bumps `sequence`.

Two bookings of one practitioner never overlap: the services check first so the
patient gets a clear message, and PostgreSQL's exclusion constraint has the last
word when two requests race (its violation becomes SlotTaken).
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from . import signals
from .availability import external_busy_for_day, is_slot_available
from .errors import BookingError, InvalidTransition, OutsideCutoff, SlotTaken, SlotUnavailable
from .hooks import BusyReport
from .models import (
    Booking,
    BookingStatus,
    CancelledBy,
    ConfirmationPolicy,
    ContactChannel,
    Patient,
    Practitioner,
    Service,
)
from .overlap import NO_OVERLAP_CONSTRAINT, overlapping_active_bookings
from .phones import normalise_phone

logger = logging.getLogger(__name__)

# Bookings that still lie ahead of everyone: they can be moved or called off.
CHANGEABLE_STATUSES = (BookingStatus.PENDING, BookingStatus.AWAITING_PAYMENT, BookingStatus.CONFIRMED)
# What a calendar entry says of each status (see bookings.ics): a change between them bumps SEQUENCE.
CALENDAR_STATUS: dict[str, str] = {
    BookingStatus.PENDING: "TENTATIVE",
    BookingStatus.AWAITING_PAYMENT: "TENTATIVE",
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.COMPLETED: "CONFIRMED",
    BookingStatus.NO_SHOW: "CONFIRMED",
    BookingStatus.CANCELLED: "CANCELLED",
    BookingStatus.DECLINED: "CANCELLED",
    BookingStatus.EXPIRED: "CANCELLED",
}

DEADLOCK_SQLSTATE = "40P01"
DEADLOCK_ATTEMPTS = 3


def payment_hold_minutes() -> int:
    return settings.BOOKING_PAYMENT_HOLD_MINUTES


def _send_after_commit(signal: Signal, booking: Booking, **extra: Any) -> None:
    """Send once the transaction commits; nothing at all if it rolls back.

    Durable listeners hear `booking_changing` first, inside this transaction.
    A failing after-commit listener is logged rather than raised: the booking is
    already committed, and the patient must not see an error for something that worked.
    """
    signals.booking_changing.send(sender=Booking, booking=booking, event=signals.EVENTS[signal], **extra)

    def send() -> None:
        for receiver, result in signal.send_robust(sender=Booking, booking=booking, **extra):
            if isinstance(result, Exception):
                logger.error(
                    "Listener %r failed on a booking signal for booking %s", receiver, booking.pk, exc_info=result
                )

    transaction.on_commit(send)


def _as_utc(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("Booking times must be timezone-aware.")
    return moment.astimezone(UTC)


def _initial_status(service: Service) -> BookingStatus:
    if service.confirmation_policy == ConfirmationPolicy.PAYMENT and not service.is_free:
        return BookingStatus.AWAITING_PAYMENT
    if service.confirmation_policy == ConfirmationPolicy.MANUAL:
        return BookingStatus.PENDING
    return BookingStatus.CONFIRMED


def _is_deadlock(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == DEADLOCK_SQLSTATE


def _save_guarded(booking: Booking) -> None:
    """Save in a savepoint; the exclusion constraint's refusal becomes SlotTaken.

    When several transactions write overlapping times at once, each can wait on
    another's unfinished row and PostgreSQL breaks the cycle by aborting one of
    them. That one has not lost yet: it saves again and, now waiting on a single
    transaction, learns whether the time became taken.
    """
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                booking.save()
            return
        except IntegrityError as exc:
            if NO_OVERLAP_CONSTRAINT in str(exc):
                raise SlotTaken() from exc
            raise
        except OperationalError as exc:
            if not _is_deadlock(exc):
                raise
            if attempt == DEADLOCK_ATTEMPTS:
                # Still fought over after several tries: the time is in demand; let the person pick another.
                raise SlotTaken() from exc
            logger.info("Saving booking for practitioner %s deadlocked; trying again", booking.practitioner_id)


def _claim_time(booking: Booking, *, enforce_availability: bool, now: datetime, busy: BusyReport | None = None) -> None:
    """Save the booking over its time, or explain why that time cannot be had.

    `busy` holds the external busy times read before the transaction: only the database is asked here.
    """
    stale_holds_expired(practitioner=booking.practitioner, now=now)
    blocked_from, blocked_until = booking.blocked_range()
    if overlapping_active_bookings(booking.practitioner, blocked_from, blocked_until, exclude_id=booking.pk).exists():
        raise SlotTaken()
    if enforce_availability and not is_slot_available(
        service=booking.service,
        practitioner=booking.practitioner,
        starts_at=booking.starts_at,
        now=now,
        exclude_booking_id=booking.pk,
        busy=busy,
    ):
        raise SlotUnavailable()
    _save_guarded(booking)


@transaction.atomic
def practitioner_for_member(*, membership: Any) -> Practitioner:
    """The member's practitioner profile, made on first use from their account name.

    Someone who joins as a practitioner through an invitation has no profile yet;
    without one they could set no hours and no service could name them.
    """
    user = membership.user
    name = user.get_full_name() or (user.email or "").split("@")[0] or user.get_username()
    practitioner, _ = Practitioner.objects.get_or_create(
        membership=membership, defaults={"clinic": membership.clinic, "display_name": name}
    )
    return practitioner


def patient_upsert(
    *, clinic: Any, name: str, email: str, phone: str, user: Any = None, contact_preference: str = ""
) -> Patient:
    """The clinic's record of this patient (one per email), updated with the latest details."""
    name, email = name.strip(), email.strip().lower()
    preference = contact_preference or ContactChannel.SMS
    patient, created = Patient.objects.get_or_create(
        clinic=clinic,
        email=email,
        defaults={"name": name, "phone": phone, "user": user, "contact_preference": preference},
    )
    links_account = user is not None and patient.user_id is None
    changes_preference = bool(contact_preference) and patient.contact_preference != contact_preference
    if not created and (patient.name != name or patient.phone != phone or links_account or changes_preference):
        patient.name, patient.phone = name, phone
        if links_account:
            patient.user = user
        if changes_preference:
            patient.contact_preference = contact_preference
        patient.save(update_fields=["name", "phone", "user", "contact_preference"])
    return patient


def booking_create(
    *,
    service: Service,
    practitioner: Practitioner,
    starts_at: datetime,
    patient_name: str,
    patient_email: str,
    patient_phone: str,
    notes: str = "",
    contact_preference: str = "",
    user: Any = None,
    created_by: Any = None,
    enforce_availability: bool = True,
    now: datetime | None = None,
) -> Booking:
    """Book a slot for a patient.

    Raises SlotTaken when the time is no longer free, SlotUnavailable when it is
    not an offered slot (staff may pass `enforce_availability=False` to book
    outside the published slots; overlaps are refused regardless), and
    ValidationError for a phone number that cannot be read.
    """
    now = now or timezone.now()
    # Calendars are read before the transaction opens: no vendor call while rows are locked.
    busy = (
        external_busy_for_day(service=service, practitioner=practitioner, starts_at=_as_utc(starts_at), now=now)
        if enforce_availability
        else None
    )
    with transaction.atomic():
        if service.clinic_id != practitioner.clinic_id or not service.practitioners.filter(pk=practitioner.pk).exists():
            raise BookingError("This practitioner does not offer this service.")
        phone = normalise_phone(patient_phone)
        patient = patient_upsert(
            clinic=service.clinic,
            name=patient_name,
            email=patient_email,
            phone=phone,
            user=user,
            contact_preference=contact_preference,
        )
        starts_at = _as_utc(starts_at)
        status = _initial_status(service)
        booking = Booking(
            clinic=service.clinic,
            service=service,
            practitioner=practitioner,
            patient=patient,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=service.duration_minutes),
            status=status,
            notes=notes,
            price=service.price,
            is_online=service.is_online,
            created_by=created_by,
            hold_expires_at=now + timedelta(minutes=payment_hold_minutes())
            if status == BookingStatus.AWAITING_PAYMENT
            else None,
            confirmed_at=now if status == BookingStatus.CONFIRMED else None,
        )
        _claim_time(booking, enforce_availability=enforce_availability, now=now, busy=busy)
        _send_after_commit(signals.booking_created, booking)
        if status == BookingStatus.CONFIRMED:
            _send_after_commit(signals.booking_confirmed, booking)
        return booking


def _locked(booking_id: int) -> Booking:
    # FOR NO KEY UPDATE: changes exclude each other, but a row that merely refers to the booking (a meeting
    # event, a message) can still be written meanwhile. FOR UPDATE would block those rows' foreign-key
    # checks, and a worker holding the booking's meeting while writing one would deadlock with a change.
    return (
        Booking.objects.select_for_update(of=("self",), no_key=True)
        .select_related("service", "practitioner", "clinic")
        .get(pk=booking_id)
    )


def _refuse(booking: Booking, action: str) -> InvalidTransition:
    return InvalidTransition(f"A booking that is {booking.get_status_display().lower()} cannot be {action}.")


def _move(booking: Booking, allowed_from: tuple[str, ...], to: str, action: str, **changes: Any) -> Booking:
    """Change the status of a locked booking, or refuse with InvalidTransition."""
    if booking.status not in allowed_from:
        raise _refuse(booking, action)
    if CALENDAR_STATUS.get(booking.status) != CALENDAR_STATUS.get(to) and "sequence" not in changes:
        # Tentative to confirmed, or to cancelled: calendars apply it only with a higher SEQUENCE.
        changes["sequence"] = booking.sequence + 1
    booking.status = to
    for field, value in changes.items():
        setattr(booking, field, value)
    booking.save(update_fields=["status", "updated_at", *changes])
    return booking


def patient_change_deadline(booking: Booking) -> datetime:
    """Until when the patient may cancel or reschedule online."""
    return booking.starts_at - timedelta(hours=booking.clinic.cancellation_cutoff_hours)


def patient_can_cancel(booking: Booking, now: datetime | None = None) -> bool:
    """Patients may withdraw a request that was never confirmed at any time; a confirmed one before the cutoff."""
    if booking.status not in CHANGEABLE_STATUSES:
        return False
    if booking.status != BookingStatus.CONFIRMED:
        return True
    return (now or timezone.now()) < patient_change_deadline(booking)


def patient_change_rule(clinic: Any) -> str:
    """The one rule for changes online, worded once for every page that states it."""
    hours = clinic.cancellation_cutoff_hours
    return (
        f"Online you can reschedule or cancel until {hours} hour{'' if hours == 1 else 's'} before the appointment; "
        "a request the clinic has not confirmed yet can be withdrawn at any time."
    )


def patient_can_reschedule(booking: Booking, now: datetime | None = None) -> bool:
    return booking.status in CHANGEABLE_STATUSES and (now or timezone.now()) < patient_change_deadline(booking)


@transaction.atomic
def booking_approve(*, booking: Booking) -> Booking:
    booking = _move(
        _locked(booking.pk), (BookingStatus.PENDING,), BookingStatus.CONFIRMED, "approved", confirmed_at=timezone.now()
    )
    _send_after_commit(signals.booking_confirmed, booking)
    return booking


@transaction.atomic
def booking_decline(*, booking: Booking, reason: str = "") -> Booking:
    booking = _move(
        _locked(booking.pk), (BookingStatus.PENDING,), BookingStatus.DECLINED, "declined", status_reason=reason[:300]
    )
    _send_after_commit(signals.booking_declined, booking)
    return booking


@transaction.atomic
def booking_mark_paid(*, booking: Booking) -> Booking:
    """Confirm a booking whose payment arrived. Payments call this; calling it twice changes nothing.

    A payment that lands after the hold lapsed takes the slot back if it is
    still free (SlotTaken otherwise, so payments can refund).
    """
    current = _locked(booking.pk)
    if current.status == BookingStatus.CONFIRMED:
        return current
    if current.status == BookingStatus.EXPIRED:
        current.status = BookingStatus.AWAITING_PAYMENT
        _claim_time(current, enforce_availability=False, now=timezone.now())
    booking = _move(
        current,
        (BookingStatus.AWAITING_PAYMENT,),
        BookingStatus.CONFIRMED,
        "paid for",
        confirmed_at=timezone.now(),
        hold_expires_at=None,
    )
    _send_after_commit(signals.booking_confirmed, booking)
    return booking


@transaction.atomic
def booking_cancel(
    *, booking: Booking, by: str = CancelledBy.CLINIC, reason: str = "", now: datetime | None = None
) -> Booking:
    """Call a booking off. A patient may not cancel a confirmed booking inside the clinic's cutoff (OutsideCutoff)."""
    now = now or timezone.now()
    current = _locked(booking.pk)
    if current.status not in CHANGEABLE_STATUSES:
        raise _refuse(current, "cancelled")
    if by == CancelledBy.PATIENT and not patient_can_cancel(current, now):
        raise OutsideCutoff()
    was_confirmed = current.status == BookingStatus.CONFIRMED
    booking = _move(
        current,
        CHANGEABLE_STATUSES,
        BookingStatus.CANCELLED,
        "cancelled",
        cancelled_by=by,
        status_reason=reason[:300],
        cancelled_at=now,
        sequence=current.sequence + 1,
    )
    _send_after_commit(signals.booking_cancelled, booking, was_confirmed=was_confirmed)
    return booking


def booking_reschedule(
    *,
    booking: Booking,
    starts_at: datetime,
    by: str = CancelledBy.CLINIC,
    enforce_availability: bool = True,
    now: datetime | None = None,
) -> Booking:
    """Move a booking to a new start, keeping its identity, status and length.

    A patient may not move it inside the clinic's cutoff (OutsideCutoff). The new
    time must be an offered slot unless staff pass `enforce_availability=False`.
    """
    now = now or timezone.now()
    # Calendars are read before the transaction opens: no vendor call while the booking is locked.
    busy = (
        external_busy_for_day(
            service=booking.service, practitioner=booking.practitioner, starts_at=_as_utc(starts_at), now=now
        )
        if enforce_availability
        else None
    )
    with transaction.atomic():
        current = _locked(booking.pk)
        if current.status not in CHANGEABLE_STATUSES:
            raise _refuse(current, "rescheduled")
        if (
            current.status == BookingStatus.AWAITING_PAYMENT
            and current.hold_expires_at
            and current.hold_expires_at <= now
        ):
            raise InvalidTransition("The time to pay for this booking ran out. Please book again.")
        if by == CancelledBy.PATIENT and not patient_can_reschedule(current, now):
            raise OutsideCutoff()
        starts_at = _as_utc(starts_at)
        previous_starts_at, previous_ends_at = current.starts_at, current.ends_at
        if starts_at == previous_starts_at:
            return current
        current.starts_at = starts_at
        current.ends_at = starts_at + (previous_ends_at - previous_starts_at)
        current.blocked_from, current.blocked_until = current.blocked_range()
        current.sequence += 1
        _claim_time(current, enforce_availability=enforce_availability, now=now, busy=busy)
        _send_after_commit(
            signals.booking_rescheduled,
            current,
            previous_starts_at=previous_starts_at,
            previous_ends_at=previous_ends_at,
        )
        return current


def _ensure_started(booking: Booking, action: str) -> None:
    if booking.starts_at > timezone.now():
        raise InvalidTransition(f"A booking cannot be {action} before it starts.")


@transaction.atomic
def booking_complete(*, booking: Booking) -> Booking:
    current = _locked(booking.pk)
    _ensure_started(current, "marked completed")
    booking = _move(current, (BookingStatus.CONFIRMED,), BookingStatus.COMPLETED, "marked completed")
    _send_after_commit(signals.booking_completed, booking)
    return booking


@transaction.atomic
def booking_mark_no_show(*, booking: Booking) -> Booking:
    current = _locked(booking.pk)
    _ensure_started(current, "marked a no-show")
    booking = _move(current, (BookingStatus.CONFIRMED,), BookingStatus.NO_SHOW, "marked a no-show")
    _send_after_commit(signals.booking_no_show, booking)
    return booking


def booking_expire_if_lapsed(*, booking: Booking, now: datetime | None = None) -> Booking:
    """This booking, with its payment hold expired if its time ran out.

    The beat task expires holds every minute; this keeps a page from calling a
    lapsed hold "held" when it runs before the task, or where no worker runs (the demo).
    """
    now = now or timezone.now()
    if booking.status == BookingStatus.AWAITING_PAYMENT and booking.hold_expires_at and booking.hold_expires_at <= now:
        stale_holds_expired(practitioner=booking.practitioner, now=now)
        booking.refresh_from_db()
    return booking


def stale_holds_expired(*, practitioner: Practitioner | None = None, now: datetime | None = None) -> int:
    """Expire payment holds whose time ran out, freeing their slots. Returns how many.

    Each hold expires by a conditional UPDATE, so two callers racing expire it
    (and signal it) once.
    """
    now = now or timezone.now()
    stale = Booking.objects.filter(status=BookingStatus.AWAITING_PAYMENT, hold_expires_at__lte=now)
    if practitioner is not None:
        stale = stale.filter(practitioner=practitioner)
    expired = 0
    for booking_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            updated = Booking.objects.filter(
                pk=booking_id, status=BookingStatus.AWAITING_PAYMENT, hold_expires_at__lte=now
            ).update(status=BookingStatus.EXPIRED, updated_at=now, sequence=F("sequence") + 1)
            if updated:
                expired += 1
                _send_after_commit(signals.booking_hold_expired, Booking.objects.get(pk=booking_id))
    return expired
