"""Invoices follow their bookings: created with a paid booking, settled by a desk payment, references readable."""

import pytest

from bookings.models import BookingStatus, ConfirmationPolicy
from bookings.services import booking_create, booking_mark_paid
from payments.models import Invoice, InvoiceStatus, Payment, PaymentSource
from payments.models.invoice import REFERENCE_ALPHABET, InvalidInvoiceTransition, normalise_reference

from ..conftest import a_start

pytestmark = pytest.mark.django_db


def test_a_paid_booking_gets_an_invoice_with_a_readable_reference(book):
    booking = book()

    invoice = Invoice.objects.get(booking=booking)

    assert invoice.amount == 1500 and invoice.status == InvoiceStatus.UNPAID
    assert len(invoice.reference) <= 12 and set(invoice.reference) <= set(REFERENCE_ALPHABET)
    assert not set("O0I1") & set(invoice.reference)


def test_free_and_automatically_confirmed_bookings_get_no_invoice(service, practitioner):
    service.price, service.confirmation_policy = 1000, ConfirmationPolicy.AUTOMATIC
    service.save()

    booking = booking_create(
        service=service,
        practitioner=practitioner,
        starts_at=a_start(),
        patient_name="Achieng",
        patient_email="a@example.com",
        patient_phone="0712 345 678",
        enforce_availability=False,
    )

    assert booking.status == BookingStatus.CONFIRMED and not Invoice.objects.exists()


def test_recording_a_desk_payment_settles_the_invoice(invoice):
    booking_mark_paid(booking=invoice.booking)

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.amount_paid == 1500
    assert Payment.objects.get(invoice=invoice).source == PaymentSource.MANUAL


def test_a_paid_invoice_never_goes_back_to_owing(invoice):
    invoice.save(update_fields=invoice.move_to(InvoiceStatus.PAID))

    for status in (InvoiceStatus.UNPAID, InvoiceStatus.PENDING, InvoiceStatus.CANCELLED):
        with pytest.raises(InvalidInvoiceTransition):
            invoice.move_to(status)


def test_references_typed_at_a_paybill_are_normalised():
    assert normalise_reference(" ab2c-d3ef ") == "AB2CD3EF"
