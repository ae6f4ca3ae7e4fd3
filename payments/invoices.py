"""Invoices follow their bookings: made with a paid booking, called off or owed back with it."""

import logging

from django.db import IntegrityError, transaction

from bookings.models import Booking, BookingStatus, ConfirmationPolicy

from .announcements import invoice_attention_announce, payment_outcome_announce
from .models import Invoice, InvoiceStatus, Payment, PaymentSource

logger = logging.getLogger(__name__)
REFERENCE_TRIES = 5


def invoice_create_for_booking(*, booking: Booking) -> Invoice | None:
    """The invoice of a booking that waits for payment; None for bookings that cost nothing or confirm otherwise."""
    if booking.status != BookingStatus.AWAITING_PAYMENT or booking.price <= 0:
        return None
    if booking.service.confirmation_policy != ConfirmationPolicy.PAYMENT:
        return None
    for _ in range(REFERENCE_TRIES):
        try:
            with transaction.atomic():
                return Invoice.objects.create(clinic_id=booking.clinic_id, booking=booking, amount=booking.price)
        except IntegrityError:
            # A reference already used in this clinic (1 in 10^12 per pair): draw another.
            if Invoice.objects.filter(booking=booking).exists():
                return Invoice.objects.get(booking=booking)
    raise RuntimeError("Could not draw a free invoice reference.")


def invoice_follow_cancellation(*, booking: Booking) -> None:
    """A cancelled booking: its open invoice is cancelled; money already received becomes a refund due."""
    invoice = Invoice.objects.select_for_update().filter(booking=booking).first()
    if invoice is None:
        return
    if invoice.amount_paid > 0 and invoice.status not in (InvoiceStatus.REFUND_DUE,):
        fields = invoice.move_to(InvoiceStatus.REFUND_DUE, "The booking was cancelled after it was paid.")
    elif invoice.is_open:
        fields = invoice.move_to(InvoiceStatus.CANCELLED, "The booking was cancelled.")
    else:
        return
    invoice.save(update_fields=fields)
    invoice_attention_announce(invoice, booking, fields)


def invoice_follow_desk_payment(*, booking: Booking) -> None:
    """Staff confirmed a paid booking themselves ("Record payment"): the money was taken at the desk."""
    invoice = Invoice.objects.select_for_update().filter(booking=booking).first()
    if invoice is None or not invoice.is_open:
        return
    payment = Payment.objects.create(
        clinic_id=invoice.clinic_id, invoice=invoice, source=PaymentSource.MANUAL, amount=invoice.amount_due
    )
    invoice.amount_paid = invoice.amount
    fields = invoice.move_to(InvoiceStatus.PAID, "Recorded by staff.")
    invoice.save(update_fields=[*fields, "amount_paid"])
    # Money taken at the desk is money received like any other: the patient's receipt, the webhooks.
    payment_outcome_announce("completed", invoice, booking, payment=payment)
