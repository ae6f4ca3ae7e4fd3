"""Model rows as API documents, times in the clinic's zone (ISO 8601 with offset)."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bookings.models import Booking, Practitioner, Service
from payments.daraja.phones import mask_msisdn
from payments.models import Invoice, Payment, StkAttempt


def local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.astimezone(zone) if moment is not None else None


def service_doc(service: Service) -> dict[str, Any]:
    return {
        "id": service.pk,
        "name": service.name,
        "description": service.description,
        "duration_minutes": service.duration_minutes,
        "price": service.price,
        "currency": service.clinic.currency,
        "is_online": service.is_online,
        "is_active": service.is_active,
        "confirmation_policy": service.confirmation_policy,
        "practitioner_ids": sorted(p.pk for p in service.practitioners.all()),
    }


def practitioner_doc(practitioner: Practitioner) -> dict[str, Any]:
    return {
        "id": practitioner.pk,
        "display_name": practitioner.display_name,
        "specialty": practitioner.specialty,
        "bio": practitioner.bio,
        "timezone": practitioner.zone.key,
        "is_active": practitioner.is_active,
        "service_ids": sorted(s.pk for s in practitioner.services.all()),
    }


def booking_doc(booking: Booking) -> dict[str, Any]:
    zone = booking.clinic.zone
    patient = booking.patient
    return {
        "id": booking.pk,
        "status": booking.status,
        "service_id": booking.service_id,
        "practitioner_id": booking.practitioner_id,
        "patient": {"id": patient.pk, "name": patient.name, "email": patient.email, "phone": patient.phone},
        "starts_at": local(booking.starts_at, zone),
        "ends_at": local(booking.ends_at, zone),
        "hold_expires_at": local(booking.hold_expires_at, zone),
        "price": booking.price,
        "currency": booking.clinic.currency,
        "is_online": booking.is_online,
        "notes": booking.notes,
        "sequence": booking.sequence,
        "cancelled_by": booking.cancelled_by,
        "status_reason": booking.status_reason,
        "created_at": local(booking.created_at, zone),
        "updated_at": local(booking.updated_at, zone),
        "confirmed_at": local(booking.confirmed_at, zone),
        "cancelled_at": local(booking.cancelled_at, zone),
    }


def payment_doc(payment: Payment, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": payment.pk,
        "source": payment.source,
        "amount": payment.amount,
        "receipt_number": payment.receipt_number or None,
        "phone": mask_msisdn(payment.phone),
        "received_at": local(payment.received_at, zone),
    }


def attempt_doc(attempt: StkAttempt, zone: ZoneInfo) -> dict[str, Any]:
    # The reverse one-to-one raises (an AttributeError subclass) when the prompt brought no money.
    payment = getattr(attempt, "payment", None)
    return {
        "id": attempt.pk,
        "invoice_id": attempt.invoice_id,
        "amount": attempt.amount,
        "status": attempt.status,
        "phone": mask_msisdn(attempt.phone),
        "reason": attempt.reason,
        "receipt_number": (payment.receipt_number or None) if payment else None,
        "created_at": local(attempt.created_at, zone),
        "completed_at": local(attempt.completed_at, zone),
    }


def invoice_doc(invoice: Invoice) -> dict[str, Any]:
    zone = invoice.clinic.zone
    return {
        "id": invoice.pk,
        "reference": invoice.reference,
        "booking_id": invoice.booking_id,
        "status": invoice.status,
        "status_reason": invoice.status_reason,
        "amount": invoice.amount,
        "amount_paid": invoice.amount_paid,
        "amount_due": invoice.amount_due,
        "currency": invoice.clinic.currency,
        "created_at": local(invoice.created_at, zone),
        "updated_at": local(invoice.updated_at, zone),
        "paid_at": local(invoice.paid_at, zone),
        "cancelled_at": local(invoice.cancelled_at, zone),
        "refund_due_at": local(invoice.refund_due_at, zone),
        "needs_review_at": local(invoice.needs_review_at, zone),
        "attempts": [attempt_doc(attempt, zone) for attempt in invoice.attempts.all()],
        "payments": [payment_doc(payment, zone) for payment in invoice.payments.all()],
    }
