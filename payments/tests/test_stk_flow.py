"""A patient pays with an M-Pesa prompt: our client against the emulator over HTTP, callbacks back to us."""

import pytest

from bookings.models import BookingStatus
from meetings.testing.scenes import wait_for
from payments.models import AttemptStatus, Callback, CallbackStatus, DarajaAudit, InvoiceStatus, Payment
from payments.stk import stk_push_start

from ..conftest import CANCEL_PHONE, SUCCESS_PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def settled(invoice, status=InvoiceStatus.PAID):
    def probe():
        invoice.refresh_from_db()
        return invoice.status == status

    return wait_for(probe, timeout=15)


def test_a_prompt_answered_with_the_pin_pays_the_invoice_and_confirms_the_booking(mpesa, invoice):
    attempt = stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)

    assert attempt.status == AttemptStatus.PENDING
    assert attempt.checkout_request_id.startswith("ws_CO_")
    settled(invoice)
    payment = Payment.objects.get(invoice=invoice)
    assert payment.amount == 1500 and len(payment.receipt_number) == 10
    assert invoice.booking.__class__.objects.get(pk=invoice.booking_id).status == BookingStatus.CONFIRMED
    wait_for(lambda: Callback.objects.get(external_id=attempt.checkout_request_id).status == CallbackStatus.PROCESSED)
    operations = set(DarajaAudit.objects.filter(clinic=invoice.clinic).values_list("operation", flat=True))
    assert operations == {"oauth", "stk_push", "stk_query"}


def test_a_prompt_cancelled_on_the_phone_fails_with_the_reason_and_keeps_the_hold(mpesa, invoice):
    attempt = stk_push_start(invoice=invoice, phone=CANCEL_PHONE)

    def failed():
        attempt.refresh_from_db()
        return attempt.status == AttemptStatus.FAILED

    wait_for(failed, timeout=15)
    assert attempt.reason == "The payment was cancelled on the phone."
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.UNPAID
    assert invoice.booking.__class__.objects.get(pk=invoice.booking_id).status == BookingStatus.AWAITING_PAYMENT
