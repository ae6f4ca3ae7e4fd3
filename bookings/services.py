"""The booking lifecycle. Every transition validates, saves, and signals after commit.

pending ──approve──> confirmed ──> completed | no_show | cancelled
   └──decline──> declined
awaiting_payment ──paid──> confirmed
   └──hold expires──> expired
Rescheduling keeps the booking (same token, same UID) and bumps `sequence`.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import signals
from .errors import InvalidTransition, SlotTaken
from .models import Booking, BookingStatus, CancelledBy, ConfirmationPolicy, Patient, Practitioner, Service
from .overlap import NO_OVERLAP_CONSTRAINT, overlapping_active_bookings

HOLD_MINUTES = getattr(settings, "BOOKING_PAYMENT_HOLD_MINUTES", 15)


def _send_after_commit(signal: Any, booking: Booking, **extra: Any) -> None:
    transaction.on_commit(lambda: signal.send(sender=Booking, booking=booking, **extra))


def _initial_status(service: Service) -> BookingStatus:
    if service.confirmation_policy == ConfirmationPolicy.PAYMENT and not service.is_free:
        return BookingStatus.AWAITING_PAYMENT
    if service.confirmation_policy == ConfirmationPolicy.MANUAL:
        return BookingStatus.PENDING
    return BookingStatus.CONFIRMED


def _save_without_overlap(booking: Booking) -> None:
    """Save the booking unless its time clashes with another active booking.

    The database has the last word (an exclusion constraint on PostgreSQL); the
    check before it gives a clear error on databases without one.
    """
    stale_holds_expired(practitioner=booking.practitioner)
    blocked_from, blocked_until = booking.blocked_range()
    clash = overlapping_active_bookings(booking.practitioner, blocked_from, blocked_until, exclude_id=booking.pk)
    if clash.exists():
        raise SlotTaken()
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        if NO_OVERLAP_CONSTRAINT in str(exc):
            raise SlotTaken() from exc
        raise


def patient_upsert(*, clinic: Any, name: str, email: str, phone: str, user: Any = None) -> Patient:
    patient, _ = Patient.objects.get_or_create(
        clinic=clinic, email=email.strip().lower(), defaults={"name": name, "phone": phone, "user": user}
    )
    changed = patient.name != name or patient.phone != phone or (user is not None and patient.user_id is None)
    if changed:
        patient.name, patient.phone = name, phone
        if user is not None and patient.user_id is None:
            patient.user = user
        patient.save(update_fields=["name", "phone", "user"])
    return patient


@transaction.atomic
def booking_create(
    *,
    service: Service,
    practitioner: Practitioner,
    starts_at: datetime,
    patient_name: str,
    patient_email: str,
    patient_phone: str,
    notes: str = "",
    user: Any = None,
    created_by: Any = None,
) -> Booking:
    """Book a slot. Raises SlotTaken if the practitioner's time is no longer free."""
    if service.clinic_id != practitioner.clinic_id or not service.practitioners.filter(pk=practitioner.pk).exists():
        raise InvalidTransition("This practitioner does not offer this service.")
    patient = patient_upsert(clinic=service.clinic, name=patient_name, email=patient_email, phone=patient_phone, user=user)
    status = _initial_status(service)
    now = timezone.now()
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
        hold_expires_at=now + timedelta(minutes=HOLD_MINUTES) if status == BookingStatus.AWAITING_PAYMENT else None,
        confirmed_at=now if status == BookingStatus.CONFIRMED else None,
    )
    _save_without_overlap(booking)
    _send_after_commit(signals.booking_created, booking)
    if status == BookingStatus.CONFIRMED:
        _send_after_commit(signals.booking_confirmed, booking)
    return booking


def _transition(booking_id: int, allowed_from: tuple[str, ...], to: str, **changes: Any) -> Booking:
    """Move a booking between statuses under a row lock; InvalidTransition otherwise."""
    booking = Booking.objects.select_for_update().select_related("service", "clinic").get(pk=booking_id)
    if booking.status not in allowed_from:
        raise InvalidTransition(
            f"A booking that is {booking.get_status_display().lower()} cannot become {BookingStatus(to).label.lower()}."
        )
    booking.status = to
    for field, value in changes.items():
        setattr(booking, field, value)
    booking.save()
    return booking


@transaction.atomic
def booking_approve(*, booking: Booking) -> Booking:
    booking = _transition(booking.pk, (BookingStatus.PENDING,), BookingStatus.CONFIRMED, confirmed_at=timezone.now())
    _send_after_commit(signals.booking_confirmed, booking)
    return booking


@transaction.atomic
def booking_decline(*, booking: Booking, reason: str = "") -> Booking:
    return _transition(booking.pk, (BookingStatus.PENDING,), BookingStatus.DECLINED, status_reason=reason)


@transaction.atomic
def booking_mark_paid(*, booking: Booking) -> Booking:
    """Confirm a booking whose payment arrived. Payments call this; it is safe to call twice."""
    current = Booking.objects.select_for_update().get(pk=booking.pk)
    if current.status == BookingStatus.CONFIRMED:
        return current
    if current.status == BookingStatus.EXPIRED:
        # Paid after the hold lapsed: take the slot back if it is still free.
        current.status = BookingStatus.AWAITING_PAYMENT
        _save_without_overlap(current)
    booking = _transition(
        booking.pk,
        (BookingStatus.AWAITING_PAYMENT,),
        BookingStatus.CONFIRMED,
        confirmed_at=timezone.now(),
        hold_expires_at=None,
    )
    _send_after_commit(signals.booking_confirmed, booking)
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, by: str = CancelledBy.CLINIC, reason: str = "") -> Booking:
    was_confirmed = booking.status == BookingStatus.CONFIRMED
    booking = _transition(
        booking.pk,
        (BookingStatus.PENDING, BookingStatus.AWAITING_PAYMENT, BookingStatus.CONFIRMED),
        BookingStatus.CANCELLED,
        cancelled_by=by,
        status_reason=reason,
        cancelled_at=timezone.now(),
    )
    booking.sequence += 1
    booking.save(update_fields=["sequence"])
    _send_after_commit(signals.booking_cancelled, booking, was_confirmed=was_confirmed)
    return booking


@transaction.atomic
def booking_reschedule(*, booking: Booking, starts_at: datetime) -> Booking:
    booking = Booking.objects.select_for_update().select_related("service", "practitioner", "clinic").get(pk=booking.pk)
    if booking.status not in (BookingStatus.PENDING, BookingStatus.AWAITING_PAYMENT, BookingStatus.CONFIRMED):
        raise InvalidTransition(f"A booking that is {booking.get_status_display().lower()} cannot be rescheduled.")
    previous_starts_at, previous_ends_at = booking.starts_at, booking.ends_at
    if starts_at == previous_starts_at:
        return booking
    booking.starts_at = starts_at
    booking.ends_at = starts_at + (previous_ends_at - previous_starts_at)
    booking.sequence += 1
    _save_without_overlap(booking)
    _send_after_commit(
        signals.booking_rescheduled,
        booking,
        previous_starts_at=previous_starts_at,
        previous_ends_at=previous_ends_at,
    )
    return booking


@transaction.atomic
def booking_complete(*, booking: Booking) -> Booking:
    return _transition(booking.pk, (BookingStatus.CONFIRMED,), BookingStatus.COMPLETED)


@transaction.atomic
def booking_mark_no_show(*, booking: Booking) -> Booking:
    return _transition(booking.pk, (BookingStatus.CONFIRMED,), BookingStatus.NO_SHOW)


def stale_holds_expired(*, practitioner: Practitioner | None = None, now: datetime | None = None) -> int:
    """Expire payment holds whose time ran out, freeing their slots. Returns how many."""
    now = now or timezone.now()
    stale = Booking.objects.filter(status=BookingStatus.AWAITING_PAYMENT, hold_expires_at__lte=now)
    if practitioner is not None:
        stale = stale.filter(practitioner=practitioner)
    expired = 0
    for booking_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            updated = Booking.objects.filter(
                pk=booking_id, status=BookingStatus.AWAITING_PAYMENT, hold_expires_at__lte=now
            ).update(status=BookingStatus.EXPIRED, updated_at=now)
            if updated:
                expired += 1
                booking = Booking.objects.get(pk=booking_id)
                _send_after_commit(signals.booking_hold_expired, booking)
    return expired
