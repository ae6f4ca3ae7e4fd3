"""Prompts nobody heard back about are settled by asking M-Pesa; late money takes the slot back or is owed back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from bookings.services import booking_cancel, booking_create, stale_holds_expired
from meetings.testing.scenes import wait_for
from payments.models import AttemptStatus, InvoiceStatus, Payment, StkAttempt
from payments.stk import stk_push_start
from payments.tasks import reconcile_attempts
from payments.testing import post_json, stk_body
from payments.urls_callbacks import callback_url
from sandbox.daraja import faults
from sandbox.daraja.models import StkPrompt

from ..conftest import CANCEL_PHONE, SUCCESS_PHONE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reconcile_now(settings):
    settings.PAYMENTS_RECONCILE_AFTER_SECONDS = 0


def answered(attempt: StkAttempt) -> StkPrompt:
    return wait_for(
        lambda: StkPrompt.objects.filter(
            checkout_request_id=attempt.checkout_request_id, status=StkPrompt.Status.DONE
        ).first()
    )


def test_a_lost_success_callback_is_recovered_by_reconciliation(mpesa, invoice, reconcile_now):
    faults.inject("callback", "drop")
    attempt = stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)
    answered(attempt)

    assert reconcile_attempts() == 1

    invoice.refresh_from_db()
    attempt.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and attempt.status == AttemptStatus.SUCCEEDED
    assert Booking.objects.get(pk=invoice.booking_id).status == BookingStatus.CONFIRMED
    payment = Payment.objects.get(invoice=invoice)
    assert payment.amount == 1500 and payment.receipt_number == ""


def test_a_lost_failure_callback_is_recovered_with_its_reason(mpesa, invoice, reconcile_now):
    faults.inject("callback", "drop")
    attempt = stk_push_start(invoice=invoice, phone=CANCEL_PHONE)
    answered(attempt)

    reconcile_attempts()

    attempt.refresh_from_db()
    invoice.refresh_from_db()
    assert attempt.status == AttemptStatus.FAILED and attempt.reason == "The payment was cancelled on the phone."
    assert invoice.status == InvoiceStatus.UNPAID


def test_the_callback_arriving_after_reconciliation_adds_the_receipt_and_nothing_else(mpesa, invoice, reconcile_now):
    faults.inject("callback", "drop")
    attempt = stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)
    answered(attempt)
    reconcile_attempts()

    post_json(
        callback_url(mpesa, "stk"), stk_body(attempt.checkout_request_id, amount=1500, receipt_number="RCP1234567")
    )

    payment = Payment.objects.get(invoice=invoice)
    assert payment.receipt_number == "RCP1234567"
    assert Payment.objects.count() == 1


def test_a_prompt_mpesa_never_settles_goes_to_review_with_the_reason(mpesa, invoice, reconcile_now, settings):
    attempt = stk_push_start(invoice=invoice, phone="0711 222 333")  # waits on the virtual phone
    settings.PAYMENTS_GIVE_UP_AFTER_MINUTES = 0

    reconcile_attempts()

    attempt.refresh_from_db()
    invoice.refresh_from_db()
    assert attempt.status == AttemptStatus.NEEDS_REVIEW and "being processed" in attempt.reason
    assert invoice.status == InvoiceStatus.NEEDS_REVIEW


def test_a_push_whose_answer_was_lost_fails_after_the_give_up_time(mpesa, invoice, settings):
    faults.inject("stkpush", "500")
    attempt = stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)

    assert attempt.status == AttemptStatus.FAILED
    assert attempt.reason == "M-Pesa had an internal error. Try again shortly."
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.UNPAID


def _expire_hold(booking: Booking) -> None:
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    stale_holds_expired()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED


def test_a_late_success_takes_the_released_slot_back_when_it_is_still_free(mpesa, invoice, reconcile_now):
    faults.inject("callback", "drop")
    attempt = stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)
    answered(attempt)
    _expire_hold(invoice.booking)

    reconcile_attempts()

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert Booking.objects.get(pk=invoice.booking_id).status == BookingStatus.CONFIRMED


def test_a_late_success_for_a_slot_taken_meanwhile_becomes_refund_due(mpesa, invoice, book, reconcile_now, service):
    faults.inject("callback", "drop")
    attempt = stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)
    answered(attempt)
    booking = invoice.booking
    _expire_hold(booking)
    # Someone else books the freed time (and holds it for their own payment).
    taker = booking_create(
        service=service,
        practitioner=booking.practitioner,
        starts_at=booking.starts_at,
        patient_name="Baraka",
        patient_email="baraka@example.com",
        patient_phone="0722 000 111",
        enforce_availability=False,
    )

    reconcile_attempts()

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REFUND_DUE and "released" in invoice.status_reason
    assert Payment.objects.get(invoice=invoice).amount == 1500
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.EXPIRED
    assert Booking.objects.get(pk=taker.pk).status == BookingStatus.AWAITING_PAYMENT


def test_cancelling_a_paid_booking_makes_its_invoice_refund_due(mpesa, invoice):
    stk_push_start(invoice=invoice, phone=SUCCESS_PHONE)

    def paid():
        invoice.refresh_from_db()
        return invoice.status == InvoiceStatus.PAID

    wait_for(paid, timeout=15)

    booking_cancel(booking=Booking.objects.get(pk=invoice.booking_id), reason="Doctor unwell")

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REFUND_DUE and invoice.refund_due_at is not None


def test_cancelling_an_unpaid_booking_cancels_its_invoice(invoice):
    booking_cancel(booking=invoice.booking)

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
