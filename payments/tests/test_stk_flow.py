"""A patient pays with an M-Pesa prompt: our client against the emulator over HTTP, callbacks back to us."""

import pytest
from django.urls import reverse

from bookings.models import BookingStatus
from meetings.testing.scenes import wait_for
from payments.models import AttemptStatus, Callback, CallbackStatus, DarajaAudit, InvoiceStatus, Payment
from payments.stk import stk_push_start
from sandbox.daraja.delivery import answer_prompt
from sandbox.daraja.models import StkPrompt

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


def test_no_second_prompt_is_sent_while_one_is_open(mpesa, invoice):
    first = stk_push_start(invoice=invoice, phone="0711 222 333")  # waits on the virtual phone

    second = stk_push_start(invoice=invoice, phone="0711 222 333")

    assert second.pk == first.pk
    assert StkPrompt.objects.count() == 1


def test_the_pay_page_refuses_a_number_mpesa_cannot_use_in_words(mpesa, invoice, client):
    response = client.post(
        reverse("payments_pay", args=[invoice.booking.token]), {"phone": "+255 712 345 678"}, follow=True
    )

    assert "M-Pesa needs a Kenyan mobile number" in response.content.decode()
    assert not StkPrompt.objects.exists()


def test_the_waiting_page_polls_until_the_prompt_is_answered(mpesa, invoice, client):
    attempt = stk_push_start(invoice=invoice, phone="0711 222 333")
    status_url = reverse("payments_attempt_status", args=[invoice.booking.token, attempt.pk])

    waiting = client.get(reverse("payments_waiting", args=[invoice.booking.token, attempt.pk])).content.decode()
    assert f'hx-get="{status_url}"' in waiting and "Check your phone." in waiting

    answer_prompt(attempt.checkout_request_id, "2001")
    wait_for(lambda: "The M-Pesa PIN was wrong." in client.get(status_url).content.decode(), timeout=15)
    assert "hx-get" not in client.get(status_url).content.decode()
